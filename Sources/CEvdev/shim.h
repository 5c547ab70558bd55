#ifndef KIOSK_CEVDEV_SHIM_H
#define KIOSK_CEVDEV_SHIM_H
#include <libevdev/libevdev.h>
#include <linux/input.h>
#include <sys/ioctl.h>
#include <sys/inotify.h>
#include <sys/timerfd.h>
#include <fcntl.h>
#include <unistd.h>

/* EVIOCGRAB is built from _IOW, which Swift does not import. */
static inline unsigned long kiosk_EVIOCGRAB(void) { return EVIOCGRAB; }
#endif
