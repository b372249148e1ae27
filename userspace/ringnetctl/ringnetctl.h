/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ringnetctl: configuration tool for ringnet devices.
 *
 * Exit status: 0 success, 1 the operation failed, 2 bad usage.
 */
#ifndef RINGNETCTL_H
#define RINGNETCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdnoreturn.h>

#define RINGNETCTL_EXIT_FAILURE	1
#define RINGNETCTL_EXIT_USAGE	2

void usage(FILE *out);
/* Prints "ringnetctl: <message>" and the usage to stderr, exits 2. */
noreturn void usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/*
 * Command-line values.  Each one calls usage_error() on a bad value, so
 * the commands only ever see valid ones.
 */
const char *parse_ifname(const char *s);
uint32_t parse_mtu(const char *s);
void parse_mac(const char *s, uint8_t mac[6]);
uint64_t parse_bytes(const char *keyword, const char *s);
uint64_t parse_offloads(const char *s);

/* The value after keyword argv[i], or usage_error() if there is none. */
const char *option_value(int argc, char **argv, int i);
/* Refuses a keyword given twice; marks it as seen. */
void option_once(bool *seen, const char *keyword);

/* The commands; argv starts after the command name. */
int cmd_add(int argc, char **argv);
int cmd_del(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_monitor(int argc, char **argv);

#endif
