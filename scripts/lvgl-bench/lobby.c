/* The lobby of kiosk-bench drawn by LVGL, to compare the two renderers on the same machine in the
 * same runs (README, issue 14). Not part of the kiosk: built by scripts/lvgl-bench/run.sh from an
 * LVGL source tree.
 *
 * It draws what `kiosk-bench --write-layouts FILE` wrote: the busiest lobby and the counter
 * screen with A100 / A101 in its banner, each rectangle an lv_obj with a background colour and
 * each text an lv_label in WenQuanYi Micro Hei at the same pixel size (FreeType), at the same
 * positions. The display is LVGL's partial render mode with a 1/10-screen buffer, flushed as
 * LVGL's Linux fbdev driver does (lv_linux_fbdev.c with LV_LINUX_FBDEV_MMAP: a memcpy a line)
 * into a mapped 1920×1080 XRGB8888 file standing in for /dev/fb0, as kiosk-bench's full frame
 * and update are.
 *
 *   lobby LAYOUTS FONT [--iterations N]       full frame and update, printed as figures
 *   lobby LAYOUTS FONT --screenshot PPM       draw the lobby once and write it as a PPM image
 *   lobby LAYOUTS FONT --first-frame REPORT   (the child) draw the lobby once, flushed with
 *                                             write(2) as kiosk-bench's first frame is; write to
 *                                             REPORT when it was flushed and the peak RSS
 * Without --first-frame it also spawns itself five times with --first-frame and prints exec →
 * first complete frame and that peak, as kiosk-bench does for kioskd.
 */
#include "lvgl.h"
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include "../../Sources/CLinuxFB/shim.h" /* kiosk_copy_rows_to_framebuffer */
#include <unistd.h>

#define WIDTH 1920
#define HEIGHT 1080

extern char **environ;

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}
static uint32_t tick(void) { return (uint32_t)now_ms(); }
static void fail(const char *message) {
    fprintf(stderr, "lvgl-bench: %s\n", message);
    exit(1);
}

/* The framebuffer stand-in: a file in $TMPDIR (unlinked at once), mapped. */
static uint8_t *framebuffer;
static int framebuffer_fd = -1;
/* Flushes with pwrite(2), a line a call, as lv_linux_fbdev.c does with LV_LINUX_FBDEV_MMAP 0
 * (the first-frame child: as kiosk-bench's first frame, which writes as kioskd does on a device). */
static int flush_with_write;
static void open_framebuffer(void) {
    const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char path[4096];
    snprintf(path, sizeof path, "%s/lvgl-bench-%d.fb", dir, (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, WIDTH * HEIGHT * 4) != 0) fail("cannot create the framebuffer file in $TMPDIR");
    unlink(path);
    framebuffer = mmap(NULL, WIDTH * HEIGHT * 4, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (framebuffer == MAP_FAILED) fail("cannot map the framebuffer file");
    framebuffer_fd = fd;
}

/* As lv_linux_fbdev.c's flush_cb without rotation: one memcpy a line into the mapping
 * (LV_LINUX_FBDEV_MMAP 1), or one write a line. */
static void flush(lv_display_t *display, const lv_area_t *area, uint8_t *pixels) {
    int32_t w = lv_area_get_width(area);
    uint32_t stride = lv_draw_buf_width_to_stride(w, LV_COLOR_FORMAT_XRGB8888);
    for (int32_t y = area->y1; y <= area->y2; y++) {
        size_t offset = ((size_t)y * WIDTH + area->x1) * 4;
        if (!flush_with_write) memcpy(framebuffer + offset, pixels, (size_t)w * 4);
        else if (pwrite(framebuffer_fd, pixels, (size_t)w * 4, (off_t)offset) != (ssize_t)w * 4) fail("cannot write the framebuffer file");
        pixels += stride;
    }
    lv_display_flush_ready(display);
}

/* Fonts by pixel size, made once. */
static const char *font_path;
static lv_font_t *fonts[256];
static lv_font_t *font(int size) {
    if (size <= 0 || size > 255) fail("a text size in the layouts is out of range");
    if (!fonts[size]) {
        fonts[size] = lv_freetype_font_create(font_path, LV_FREETYPE_FONT_RENDER_MODE_BITMAP, size, LV_FREETYPE_FONT_STYLE_NORMAL);
        if (!fonts[size]) fail("LVGL's FreeType cannot load the font");
    }
    return fonts[size];
}

static lv_color_t colour(const char *hex) { return lv_color_hex((uint32_t)strtoul(hex, NULL, 16)); }

/* One screen of the layouts file; `labels` keeps each text's label in order (the update looks
 * for the one whose text differs between the two counter screens). */
typedef struct {
    char name[64];
    lv_obj_t *screen;
    int count;
    lv_obj_t *labels[256];
    char *texts[256];
} screen_t;
static screen_t screens[3];
static int screen_count;

/* Reads the layouts and makes the objects of their first `wanted` screens (the first-frame child
 * makes only the lobby's, as kioskd draws only the lobby before its first frame). */
static void load_layouts(const char *path, int wanted) {
    FILE *f = fopen(path, "r");
    if (!f) fail("cannot read the layouts file (write it with kiosk-bench --write-layouts FILE)");
    char line[4096];
    screen_t *s = NULL;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (strncmp(line, "screen ", 7) == 0) {
            if (screen_count == wanted) break;
            s = &screens[screen_count++];
            snprintf(s->name, sizeof s->name, "%.63s", line + 7);
            s->screen = lv_obj_create(NULL);
            lv_obj_remove_style_all(s->screen);
            lv_obj_set_style_bg_opa(s->screen, LV_OPA_COVER, 0);
            lv_obj_set_style_bg_color(s->screen, lv_color_black(), 0);
            continue;
        }
        if (!s) fail("the layouts file does not start with a screen");
        int x, y, w, h, size, used = 0;
        char hex[16];
        if (sscanf(line, "rect %d %d %d %d %15s", &x, &y, &w, &h, hex) == 5) {
            lv_obj_t *o = lv_obj_create(s->screen);
            lv_obj_remove_style_all(o);
            lv_obj_set_pos(o, x, y);
            lv_obj_set_size(o, w, h);
            lv_obj_set_style_bg_opa(o, LV_OPA_COVER, 0);
            lv_obj_set_style_bg_color(o, colour(hex), 0);
        } else if (sscanf(line, "text %d %d %d %15s %n", &x, &y, &size, hex, &used) == 4 && used > 0) {
            if (s->count == 256) fail("more than 256 texts on a screen");
            lv_obj_t *label = lv_label_create(s->screen);
            lv_obj_remove_style_all(label);
            lv_obj_set_pos(label, x, y);
            lv_obj_set_style_text_font(label, font(size), 0);
            lv_obj_set_style_text_color(label, colour(hex), 0);
            lv_label_set_text(label, line + used);
            s->labels[s->count] = label;
            s->texts[s->count++] = strdup(line + used);
        } else {
            fail("a line of the layouts file is neither rect nor text");
        }
    }
    fclose(f);
    if (screen_count != wanted) fail("the layouts file should hold the lobby and two counter screens");
}

static lv_display_t *make_display(void) {
    lv_display_t *display = lv_display_create(WIDTH, HEIGHT);
    lv_display_set_color_format(display, LV_COLOR_FORMAT_XRGB8888);
    uint32_t size = WIDTH * (HEIGHT / 10) * 4;  /* 1/10 of the screen */
    void *buffer = aligned_alloc(64, size);
    lv_display_set_buffers(display, buffer, NULL, size, LV_DISPLAY_RENDER_MODE_PARTIAL);
    lv_display_set_flush_cb(display, flush);
    return display;
}

/* The process's peak RSS without the framebuffer mapping's pages, in MB. */
static double peak_without_framebuffer(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double peak = 0;
    while (f && fgets(line, sizeof line, f)) sscanf(line, "VmHWM: %lf", &peak);
    if (f) fclose(f);
    /* The mapping's resident pages: every page of it was written by the full frame. */
    double mapped = 0, rss = 0;
    int in_fb = 0;
    f = fopen("/proc/self/smaps", "r");
    while (f && fgets(line, sizeof line, f)) {
        if (strchr(line, '-') && strstr(line, "lvgl-bench-")) in_fb = 1;
        else if (in_fb && sscanf(line, "Rss: %lf", &rss) == 1) { mapped += rss; in_fb = 0; }
    }
    if (f) fclose(f);
    return (peak - mapped) / 1024;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
static void print_figure(const char *name, double *times, int n) {
    qsort(times, n, sizeof *times, compare);
    double sum = 0;
    for (int i = 0; i < n; i++) sum += times[i];
    printf("%-44s median %.3f ms, mean %.3f ms, min %.3f ms (%d runs)\n", name, times[n / 2], sum / n, times[0], n);
}

/* The floor of any renderer that draws in RAM and copies into the framebuffer: 32-row bands
 * (kiosk's) filled with one colour and copied, nothing drawn; a line at a time with memcpy, or
 * (`past_cache`) with the copy kiosk makes since round 4: non-temporal stores (CLinuxFB's shim). */
static void band_floor(double *times, int iterations, int past_cache) {
    uint32_t *band = aligned_alloc(64, WIDTH * 32 * 4);
    if (!band) fail("cannot allocate a band");
    for (int i = 0; i < iterations; i++) {
        double t0 = now_ms();
        for (int top = 0; top < HEIGHT; top += 32) {
            int rows = top + 32 <= HEIGHT ? 32 : HEIGHT - top;
            uint32_t fill = 0x0E1A2B + (uint32_t)i;
            for (int p = 0; p < WIDTH * rows; p++) band[p] = fill;
            uint8_t *target = framebuffer + (size_t)top * WIDTH * 4;
            if (past_cache) kiosk_copy_rows_to_framebuffer(target, WIDTH * 4, band, WIDTH * 4, WIDTH * 4, rows);
            else for (int y = 0; y < rows; y++) memcpy(target + (size_t)y * WIDTH * 4, band + y * WIDTH, WIDTH * 4);
        }
        times[i] = now_ms() - t0;
    }
    free(band);
}

int main(int argc, char **argv) {
    if (argc < 3) fail("usage: lobby LAYOUTS FONT [--iterations N | --first-frame REPORT]");
    const char *layouts = argv[1];
    font_path = argv[2];
    int iterations = 100;
    const char *report = NULL, *screenshot = NULL;
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--iterations") == 0 && i + 1 < argc) iterations = atoi(argv[++i]);
        else if (strcmp(argv[i], "--first-frame") == 0 && i + 1 < argc) report = argv[++i];
        else if (strcmp(argv[i], "--screenshot") == 0 && i + 1 < argc) screenshot = argv[++i];
        else fail("unknown option; use --iterations N, --screenshot PPM or --first-frame REPORT");
    }
    if (iterations < 1) iterations = 1;
    flush_with_write = report != NULL;

    lv_init();
    lv_tick_set_cb(tick);
    open_framebuffer();
    lv_display_t *display = make_display();
    load_layouts(layouts, report || screenshot ? 1 : 3);
    screen_t *lobby = &screens[0], *counter = &screens[1], *next = &screens[2];

    lv_screen_load(lobby->screen);
    lv_refr_now(display);
    if (screenshot) {
        /* The lobby as drawn, as a binary PPM, to check it against kiosk's. */
        FILE *f = fopen(screenshot, "wb");
        if (!f) fail("cannot write the screenshot");
        fprintf(f, "P6\n%d %d\n255\n", WIDTH, HEIGHT);
        for (size_t i = 0; i < (size_t)WIDTH * HEIGHT; i++) {
            uint8_t *p = framebuffer + i * 4;
            uint8_t rgb[3] = {p[2], p[1], p[0]};
            fwrite(rgb, 1, 3, f);
        }
        fclose(f);
        return 0;
    }
    if (report) {
        double drawn = now_ms();
        FILE *f = fopen(report, "w");
        if (!f) fail("cannot write the first-frame report");
        fprintf(f, "%.6f %.3f\n", drawn, peak_without_framebuffer());
        fclose(f);
        return 0;
    }

    /* exec → first complete frame, five children (the first warms the page cache). */
    double firsts[5], peaks[5];
    char self[4096], child_report[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) fail("cannot find this program's path");
    self[n] = 0;
    snprintf(child_report, sizeof child_report, "%s/lvgl-bench-%d.report", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    for (int i = -1; i < 5; i++) {
        char *child_argv[] = {self, (char *)layouts, (char *)font_path, "--first-frame", child_report, NULL};
        double t0 = now_ms();
        pid_t pid;
        if (posix_spawn(&pid, self, NULL, NULL, child_argv, environ) != 0) fail("cannot spawn the first-frame child");
        int status;
        waitpid(pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) fail("the first-frame child failed");
        FILE *f = fopen(child_report, "r");
        double drawn = 0, peak = 0;
        if (!f || fscanf(f, "%lf %lf", &drawn, &peak) != 2) fail("the first-frame child did not report");
        fclose(f);
        if (i >= 0) { firsts[i] = drawn - t0; peaks[i] = peak; }
    }
    unlink(child_report);

    /* Full frame: the whole lobby invalidated, drawn band by band and flushed. */
    double *times = calloc(iterations, sizeof *times);
    for (int i = 0; i < iterations; i++) {
        double t0 = now_ms();
        lv_obj_invalidate(lobby->screen);
        lv_refr_now(display);
        times[i] = now_ms() - t0;
    }
    print_figure("full frame (1920x1080x32)", times, iterations);
    flush_with_write = 1;
    for (int i = 0; i < iterations; i++) {
        double t0 = now_ms();
        lv_obj_invalidate(lobby->screen);
        lv_refr_now(display);
        times[i] = now_ms() - t0;
    }
    flush_with_write = 0;
    print_figure("  with write(2) a line (FBDEV_MMAP 0)", times, iterations);

    band_floor(times, iterations, 0);
    print_figure("floor: fill bands, copy them (C, no drawing)", times, iterations);
    band_floor(times, iterations, 1);
    print_figure("  copied past the cache, as kiosk (C)", times, iterations);

    /* Update: the counter's banner number changes (A100 → A101 …): set the text, lay out, draw
     * and flush the changed area. */
    int changed = -1;
    for (int i = 0; i < counter->count && i < next->count; i++)
        if (strcmp(counter->texts[i], next->texts[i]) != 0) changed = i;
    if (changed < 0) fail("the two counter screens do not differ in a text");
    lv_screen_load(counter->screen);
    lv_refr_now(display);
    for (int i = 0; i < iterations; i++) {
        char number[16];
        snprintf(number, sizeof number, "A%03d", 101 + i % 899);
        double t0 = now_ms();
        lv_label_set_text(counter->labels[changed], number);
        lv_refr_now(display);
        times[i] = now_ms() - t0;
    }
    print_figure("update: one ticket number changes", times, iterations);
    print_figure("exec -> first complete frame (write(2))", firsts, 5);
    qsort(peaks, 5, sizeof *peaks, compare);
    printf("%-44s %.1f-%.1f MB\n", "first-frame peak RSS (the mapping untouched)", peaks[0], peaks[4]);
    return 0;
}
