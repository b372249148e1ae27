// SPDX-License-Identifier: GPL-2.0
/*
 * Streaming JSON writer.  Output is always valid JSON: strings are escaped
 * per RFC 8259 and bytes that are not valid UTF-8 (interface names are
 * arbitrary bytes to the kernel) become U+FFFD.
 */
#include <inttypes.h>

#include "json.h"

void json_init(struct json *j, FILE *out, bool pretty)
{
	j->out = out;
	j->pretty = pretty;
	j->depth = 0;
	j->first = true;
}

void json_finish(struct json *j)
{
	fputc('\n', j->out);
	j->first = true;
}

static void json_indent(struct json *j)
{
	if (!j->pretty)
		return;
	fputc('\n', j->out);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->out);
}

/* Length of the valid UTF-8 sequence at s, or 0 when it is not one. */
static size_t utf8_sequence_len(const unsigned char *s)
{
	uint32_t cp;
	size_t len;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}

	/* A NUL terminator fails the continuation test, so no overrun. */
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}

	if (len == 3 && cp < 0x800)
		return 0;	/* overlong */
	if (len == 4 && (cp < 0x10000 || cp > 0x10ffff))
		return 0;	/* overlong or beyond Unicode */
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0;	/* UTF-16 surrogate */
	return len;
}

static void json_write_string(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', out);
	while (*s) {
		size_t len;

		switch (*s) {
		case '"':	fputs("\\\"", out); break;
		case '\\':	fputs("\\\\", out); break;
		case '\b':	fputs("\\b", out); break;
		case '\f':	fputs("\\f", out); break;
		case '\n':	fputs("\\n", out); break;
		case '\r':	fputs("\\r", out); break;
		case '\t':	fputs("\\t", out); break;
		default:
			if (*s < 0x20 || *s == 0x7f) {
				fprintf(out, "\\u%04x", *s);
			} else if (*s < 0x80) {
				fputc(*s, out);
			} else if ((len = utf8_sequence_len(s))) {
				fwrite(s, 1, len, out);
				s += len;
				continue;
			} else {
				fputs("\\ufffd", out);
			}
		}
		s++;
	}
	fputc('"', out);
}

/* Separator, indentation and key in front of every value. */
static void json_value_prefix(struct json *j, const char *key)
{
	if (!j->first)
		fputc(',', j->out);
	if (j->depth > 0)
		json_indent(j);
	j->first = false;

	if (key) {
		json_write_string(j->out, key);
		fputs(j->pretty ? ": " : ":", j->out);
	}
}

static void json_container_begin(struct json *j, const char *key, char open)
{
	json_value_prefix(j, key);
	fputc(open, j->out);
	j->depth++;
	j->first = true;
}

static void json_container_end(struct json *j, char close)
{
	j->depth--;
	if (!j->first)
		json_indent(j);
	fputc(close, j->out);
	/* The container just closed is a value of its parent. */
	j->first = false;
}

void json_object_begin(struct json *j, const char *key)
{
	json_container_begin(j, key, '{');
}

void json_object_end(struct json *j)
{
	json_container_end(j, '}');
}

void json_array_begin(struct json *j, const char *key)
{
	json_container_begin(j, key, '[');
}

void json_array_end(struct json *j)
{
	json_container_end(j, ']');
}

void json_string(struct json *j, const char *key, const char *value)
{
	json_value_prefix(j, key);
	json_write_string(j->out, value);
}

void json_u64(struct json *j, const char *key, uint64_t value)
{
	json_value_prefix(j, key);
	fprintf(j->out, "%" PRIu64, value);
}

void json_bool(struct json *j, const char *key, bool value)
{
	json_value_prefix(j, key);
	fputs(value ? "true" : "false", j->out);
}

void json_null(struct json *j, const char *key)
{
	json_value_prefix(j, key);
	fputs("null", j->out);
}
