#ifndef KIOSK_CCURL_SHIM_H
#define KIOSK_CCURL_SHIM_H
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

/* libcurl is opened at its first use (dlopen), not linked: a kiosk without a centre never
   loads it, and a kiosk with one loads it when the sync worker makes its first client. Linked,
   libcurl and the 28 libraries it needs (TLS, HTTP/2, IDN, LDAP, Kerberos…) were mapped and
   relocated at every start, before the first frame (about 1.5 ms in the dynamic loader and
   their pages resident). Every call goes through `kiosk_curl()`; the names below are the only
   libcurl functions the kiosk uses. */
typedef struct {
    int loaded;
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *handle);
    CURLcode (*easy_setopt)(CURL *handle, CURLoption option, ...);
    CURLcode (*easy_getinfo)(CURL *handle, CURLINFO info, ...);
    CURLcode (*easy_perform)(CURL *handle);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *text);
    void (*slist_free_all)(struct curl_slist *list);
} kiosk_curl_api;

/* One table per translation unit that includes this header (a static inline function's static
   variables): each loads libcurl once (dlopen returns the same handle), under pthread_once. */
static inline kiosk_curl_api *kiosk_curl_table(void) {
    static kiosk_curl_api api;
    return &api;
}
static inline void kiosk_curl_load(void) {
    kiosk_curl_api *api = kiosk_curl_table();
    void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "libcurl.so.4 cannot be loaded (%s): the kiosk cannot reach its centre; install libcurl4 (apt install libcurl4)\n", dlerror());
        return;
    }
    *(void **)&api->global_init = dlsym(lib, "curl_global_init");
    *(void **)&api->easy_init = dlsym(lib, "curl_easy_init");
    *(void **)&api->easy_cleanup = dlsym(lib, "curl_easy_cleanup");
    *(void **)&api->easy_setopt = dlsym(lib, "curl_easy_setopt");
    *(void **)&api->easy_getinfo = dlsym(lib, "curl_easy_getinfo");
    *(void **)&api->easy_perform = dlsym(lib, "curl_easy_perform");
    *(void **)&api->easy_strerror = dlsym(lib, "curl_easy_strerror");
    *(void **)&api->slist_append = dlsym(lib, "curl_slist_append");
    *(void **)&api->slist_free_all = dlsym(lib, "curl_slist_free_all");
    api->loaded = api->global_init && api->easy_init && api->easy_cleanup && api->easy_setopt && api->easy_getinfo
        && api->easy_perform && api->easy_strerror && api->slist_append && api->slist_free_all;
    if (!api->loaded) fprintf(stderr, "libcurl.so.4 lacks a function the kiosk needs: the kiosk cannot reach its centre; install a libcurl4 of Debian 12 or later\n");
}
/* The loaded table, or NULL when libcurl cannot be loaded (said once on stderr). */
static inline const kiosk_curl_api *kiosk_curl(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, kiosk_curl_load);
    return kiosk_curl_table()->loaded ? kiosk_curl_table() : NULL;
}

static inline CURLcode kiosk_curl_global_init(long flags) {
    const kiosk_curl_api *api = kiosk_curl();
    return api ? api->global_init(flags) : CURLE_FAILED_INIT;
}
/* The calls below come after a successful kiosk_curl_global_init (CentralClient.curlReady). */
static inline CURL *kiosk_curl_easy_init(void) { return kiosk_curl()->easy_init(); }
static inline void kiosk_curl_easy_cleanup(CURL *h) { kiosk_curl()->easy_cleanup(h); }
static inline CURLcode kiosk_curl_easy_perform(CURL *h) { return kiosk_curl()->easy_perform(h); }
static inline const char *kiosk_curl_easy_strerror(CURLcode code) { return kiosk_curl()->easy_strerror(code); }
static inline struct curl_slist *kiosk_curl_slist_append(struct curl_slist *list, const char *text) {
    return kiosk_curl()->slist_append(list, text);
}
static inline void kiosk_curl_slist_free_all(struct curl_slist *list) { kiosk_curl()->slist_free_all(list); }

/// curl_easy_setopt and curl_easy_getinfo are variadic: Swift cannot call them directly.
static inline CURLcode kiosk_curl_set_long(CURL *h, CURLoption option, long value) {
    return kiosk_curl()->easy_setopt(h, option, value);
}
static inline CURLcode kiosk_curl_set_pointer(CURL *h, CURLoption option, const void *value) {
    return kiosk_curl()->easy_setopt(h, option, value);
}
static inline CURLcode kiosk_curl_set_off_t(CURL *h, CURLoption option, curl_off_t value) {
    return kiosk_curl()->easy_setopt(h, option, value);
}
typedef size_t (*kiosk_curl_write_callback)(char *data, size_t size, size_t count, void *context);
static inline CURLcode kiosk_curl_set_write_callback(CURL *h, kiosk_curl_write_callback callback, void *context) {
    CURLcode c = kiosk_curl()->easy_setopt(h, CURLOPT_WRITEFUNCTION, callback);
    return c != CURLE_OK ? c : kiosk_curl()->easy_setopt(h, CURLOPT_WRITEDATA, context);
}
static inline long kiosk_curl_response_code(CURL *h) {
    long code = 0;
    kiosk_curl()->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    return code;
}
#endif
