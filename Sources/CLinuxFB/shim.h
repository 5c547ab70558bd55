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

/* Copies `rows` rows of `rowBytes` bytes into framebuffer memory (rows `targetStride` and
 * `sourceStride` bytes apart) with non-temporal stores where the processor has them (x86-64:
 * SSE2's movntdq, 16 aligned bytes at a time). The framebuffer is written, never read back, and
 * is larger than the caches: an ordinary store first reads each destination line into the cache,
 * doubling the memory traffic of a frame. Ends with a store fence, so that the picture is in
 * memory when the call returns. Elsewhere (ARM) it is memcpy a row. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__)
#include <emmintrin.h>
#endif
static inline void kiosk_copy_rows_to_framebuffer(void *target, size_t targetStride, const void *source, size_t sourceStride,
                                                  size_t rowBytes, size_t rows) {
#if defined(__x86_64__)
    for (size_t row = 0; row < rows; row++) {
        unsigned char *d = (unsigned char *)target + row * targetStride;
        const unsigned char *s = (const unsigned char *)source + row * sourceStride;
        size_t count = rowBytes;
        size_t head = (16 - ((uintptr_t)d & 15)) & 15;
        if (head > count) head = count;
        memcpy(d, s, head);
        d += head; s += head; count -= head;
        for (; count >= 64; d += 64, s += 64, count -= 64) {
            __m128i a = _mm_loadu_si128((const __m128i *)s), b = _mm_loadu_si128((const __m128i *)(s + 16));
            __m128i c = _mm_loadu_si128((const __m128i *)(s + 32)), e = _mm_loadu_si128((const __m128i *)(s + 48));
            _mm_stream_si128((__m128i *)d, a);
            _mm_stream_si128((__m128i *)(d + 16), b);
            _mm_stream_si128((__m128i *)(d + 32), c);
            _mm_stream_si128((__m128i *)(d + 48), e);
        }
        for (; count >= 16; d += 16, s += 16, count -= 16) _mm_stream_si128((__m128i *)d, _mm_loadu_si128((const __m128i *)s));
        memcpy(d, s, count);
    }
    _mm_sfence();
#else
    for (size_t row = 0; row < rows; row++)
        memcpy((unsigned char *)target + row * targetStride, (const unsigned char *)source + row * sourceStride, rowBytes);
#endif
}
#endif
