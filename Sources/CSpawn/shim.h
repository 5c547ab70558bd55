#ifndef KIOSK_CSPAWN_SHIM_H
#define KIOSK_CSPAWN_SHIM_H
#include <spawn.h>

/* glibc 2.34 and later have it, but declare it only under _GNU_SOURCE, which Swift's Glibc
   module is not built with. Closes every descriptor from `from` on in the child, so a command
   never inherits one its parent left open without close-on-exec. */
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);

#endif
