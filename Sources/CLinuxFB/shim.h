#ifndef KIOSK_CLINUXFB_SHIM_H
#define KIOSK_CLINUXFB_SHIM_H
/* Linux framebuffer and virtual-terminal ioctls for the kiosk's display. */
#include <linux/fb.h>
#include <linux/kd.h>
#include <linux/vt.h>
#include <sys/ioctl.h>

/* Requests built from _IOR/_IOW do not import into Swift; plain numbers are given here too. */
static inline unsigned long kiosk_FBIOGET_VSCREENINFO(void) { return FBIOGET_VSCREENINFO; }
static inline unsigned long kiosk_FBIOGET_FSCREENINFO(void) { return FBIOGET_FSCREENINFO; }
static inline unsigned long kiosk_FBIOBLANK(void) { return FBIOBLANK; }
static inline unsigned long kiosk_KDSETMODE(void) { return KDSETMODE; }
static inline unsigned long kiosk_KDGETMODE(void) { return KDGETMODE; }
static inline unsigned long kiosk_KDGKBMODE(void) { return KDGKBMODE; }
static inline unsigned long kiosk_KDSKBMODE(void) { return KDSKBMODE; }
static inline unsigned long kiosk_VT_SETMODE(void) { return VT_SETMODE; }
static inline unsigned long kiosk_VT_GETMODE(void) { return VT_GETMODE; }
static inline unsigned long kiosk_VT_RELDISP(void) { return VT_RELDISP; }

/* ioctl is variadic: one wrapper per argument kind. */
static inline int kiosk_ioctl_ptr(int fd, unsigned long request, void *arg) { return ioctl(fd, request, arg); }
static inline int kiosk_ioctl_int(int fd, unsigned long request, long arg) { return ioctl(fd, request, arg); }
#endif
