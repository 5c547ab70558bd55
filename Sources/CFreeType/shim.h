#ifndef KIOSK_CFREETYPE_SHIM_H
#define KIOSK_CFREETYPE_SHIM_H
#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_SIZES_H  /* FT_New_Size, FT_Activate_Size: one size object per pixel size */
#endif
