#ifndef KIOSK_CCURL_SHIM_H
#define KIOSK_CCURL_SHIM_H
#include <curl/curl.h>

/// curl_easy_setopt and curl_easy_getinfo are variadic: Swift cannot call them directly.
static inline CURLcode kiosk_curl_set_long(CURL *h, CURLoption option, long value) {
    return curl_easy_setopt(h, option, value);
}
static inline CURLcode kiosk_curl_set_pointer(CURL *h, CURLoption option, const void *value) {
    return curl_easy_setopt(h, option, value);
}
static inline CURLcode kiosk_curl_set_off_t(CURL *h, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(h, option, value);
}
typedef size_t (*kiosk_curl_write_callback)(char *data, size_t size, size_t count, void *context);
static inline CURLcode kiosk_curl_set_write_callback(CURL *h, kiosk_curl_write_callback callback, void *context) {
    CURLcode c = curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, callback);
    return c != CURLE_OK ? c : curl_easy_setopt(h, CURLOPT_WRITEDATA, context);
}
static inline long kiosk_curl_response_code(CURL *h) {
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    return code;
}
#endif
