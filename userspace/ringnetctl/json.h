/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal streaming JSON writer: enough for ringnetctl's objects, arrays,
 * strings, unsigned numbers, booleans and null.
 *
 * Every value takes a key: pass a key inside an object, NULL inside an array
 * or at the top level.
 */
#ifndef RINGNETCTL_JSON_H
#define RINGNETCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct json {
	FILE *out;
	bool pretty;	/* newlines and two-space indents, else one line */
	int depth;
	bool first;	/* nothing written yet in the current container */
};

void json_init(struct json *j, FILE *out, bool pretty);
/* Ends the top-level value with a newline. */
void json_finish(struct json *j);

void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);

void json_string(struct json *j, const char *key, const char *value);
void json_u64(struct json *j, const char *key, uint64_t value);
void json_bool(struct json *j, const char *key, bool value);
void json_null(struct json *j, const char *key);

#endif
