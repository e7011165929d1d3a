/*
 * librnp, loaded at run time by the verifier when a stanza is a GnuPG one
 * (openpgp.c).  librnp brings Botan, libstdc++, json-c and two compressors
 * (about 5 MiB resident in every verifier): one whose stanzas are all
 * Rijndael maps none of it.  Loaded before the sandbox closes, like every
 * other file the verifier opens.
 */
#ifndef SPA_RNP_LIB_H
#define SPA_RNP_LIB_H

#include <rnp/rnp.h>

/* The calls openpgp.c makes, each with librnp's own prototype. */
#define RNP_LIB_CALLS(X) \
	X(buffer_destroy) X(ffi_create) X(ffi_destroy) \
	X(ffi_set_pass_provider) X(identifier_iterator_create) \
	X(identifier_iterator_destroy) X(identifier_iterator_next) \
	X(input_destroy) X(input_from_memory) X(key_get_fprint) \
	X(key_get_primary_fprint) X(key_get_uid_at) \
	X(key_get_uid_count) X(key_handle_destroy) X(key_have_secret) \
	X(key_is_primary) X(key_is_protected) X(key_is_valid) X(key_remove) \
	X(key_unlock) X(key_valid_till64) X(load_keys) X(locate_key) \
	X(op_encrypt_add_recipient) X(op_encrypt_create) \
	X(op_encrypt_destroy) X(op_encrypt_execute) X(op_verify_create) \
	X(op_verify_destroy) X(op_verify_execute) \
	X(op_verify_get_protection_info) X(op_verify_get_signature_at) \
	X(op_verify_get_signature_count) X(op_verify_set_flags) \
	X(op_verify_signature_get_handle) X(op_verify_signature_get_key) \
	X(op_verify_signature_get_status) X(output_destroy) \
	X(output_memory_get_buf) X(output_to_memory) X(result_to_string) \
	X(signature_get_keyid) X(signature_handle_destroy)

struct rnp_lib {
	void	*handle;	/* dlopen()'s */
#define RNP_LIB_FIELD(name)	__typeof__(rnp_##name)	*name;
	RNP_LIB_CALLS(RNP_LIB_FIELD)
#undef RNP_LIB_FIELD
};

/* Load librnp (by its soname) and resolve every call; -1 and why. */
int	rnp_lib_load(struct rnp_lib *lib, char *err, size_t errlen);
void	rnp_lib_unload(struct rnp_lib *lib);

#endif
