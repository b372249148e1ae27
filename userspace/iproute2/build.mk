# link_ringnet.so, the ip(8) plugin for "type ringnet" options.  It is
# linked against nothing: its iproute2 helpers resolve in ip itself.
all: $(O)/ip/link_ringnet.so

$(O)/ip/link_ringnet.so: $(srctree)/iproute2/link_ringnet.c \
		$(srctree)/lib/ringnet_offloads.h $(srctree)/lib/ringnet_bytes.h \
		$(srctree)/../kmod/uapi/linux/ringnet.h
	@mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CFLAGS) -I$(srctree)/lib $(SANITIZE_FLAGS) -fPIC -shared -o $@ $<

IPLIBDIR ?= /usr/lib/$(shell $(CC) -print-multiarch)/ip

install: install-ip-plugin
install-ip-plugin: $(O)/ip/link_ringnet.so
	$(Q)$(INSTALL) -D -m 0644 $< $(DESTDIR)$(IPLIBDIR)/link_ringnet.so

.PHONY: install-ip-plugin
