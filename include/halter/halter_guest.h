/* For guest code (C, compiled to wasm32): declaring host imports and reading
 * the message of a host error (DESIGN §5).
 *
 * A host import defined with halter::HostErrors::NegativeCode answers a
 * failure with a negative value, -code, instead of trapping the guest; the
 * guest then reads the error message with halter_last_error:
 *
 *   HALTER_IMPORT("host", "ask")
 *   int32_t ask(const char *question, int32_t len, char *answer, int32_t cap);
 *
 *   int32_t n = ask(q, q_len, buf, sizeof buf);
 *   if (n < 0) {
 *     char message[200];
 *     int32_t len = halter_last_error(message, sizeof message);
 *     ...  // the first min(len, sizeof message) bytes are the message
 *   }
 */
#ifndef HALTER_HALTER_GUEST_H
#define HALTER_HALTER_GUEST_H

#include <stdint.h>

#define HALTER_IMPORT(module, name) __attribute__((import_module(module), import_name(name)))
#define HALTER_EXPORT(name) __attribute__((export_name(name)))

/* Copies up to `cap` bytes of the message of the last error a NegativeCode
 * import returned to this instance into `buf` (no terminating NUL) and
 * returns the message's full length; 0 when there was none. Provided by
 * halter itself (module "halter"): the embedder need not define it. */
HALTER_IMPORT("halter", "last_error")
int32_t halter_last_error(char *buf, int32_t cap);

#endif
