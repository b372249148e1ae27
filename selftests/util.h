/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers the C selftests share (util.c). */
#ifndef RINGNET_SELFTEST_UTIL_H
#define RINGNET_SELFTEST_UTIL_H

/* Run a shell command built like printf; its exit status, or -1. */
int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Run fn(arg) in a child process; its exit status (100: killed). */
int in_child(int (*fn)(void *), void *arg);

/* Write text to a file such as /proc/self/uid_map; 0 or -1. */
int write_file(const char *path, const char *text);

#endif
