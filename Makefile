# netcell - build with "make", test with "make check" (see README.md)
#
# BUILD selects the output directory; SAN=1 builds with ASan+UBSan into
# build-asan/.  Tests link libnetcell.a, where internal symbols are visible.

SAN ?= 0
ifeq ($(SAN),fuzz)
BUILD ?= build-fuzz
CC := clang
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -Wno-format-nonliteral
LDSAN := -fsanitize=address,undefined
else ifeq ($(SAN),1)
BUILD ?= build-asan
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDSAN := -fsanitize=address,undefined
else
BUILD ?= build
OPT := -O2 -g -D_FORTIFY_SOURCE=2
LDSAN :=
endif

CC ?= gcc
PKGS := libmnl libnftables yaml-0.1
# libnftables and libyaml are loaded with dlopen() when first needed
# (base/dynlib.c): their headers only, no link
WARN := -Wall -Wextra -Werror=missing-prototypes -Werror=shadow \
	-Werror=strict-prototypes -Werror=format=2 -Werror=switch-default \
	-Werror=implicit-function-declaration -Wno-missing-field-initializers $(if $(filter clang,$(CC)),,-Wno-format-truncation)
CFLAGS += -std=c11 -D_GNU_SOURCE $(WARN) $(OPT) -fstack-protector-strong \
	-fvisibility=hidden -fPIC -Iinclude -Ilib \
	$(shell pkg-config --cflags $(PKGS) json-c) -DNETCELL_VERSION=\"$(VERSION)\" \
	-DNETCELL_LIBEXECDIR=\"$(LIBEXECDIR)\"
LDLIBS += $(shell pkg-config --libs libmnl) -ldl -lpthread
# the CLI's JSON output (the library has none)
CLI_LIBS := $(shell pkg-config --libs json-c)
VERSION := 0.1.0

LIB_SRC := $(wildcard lib/*/*.c)
CLI_SRC := $(wildcard cli/*.c)
# the CNI plugin, a front end like cli/ (its mechanisms are in lib/net/cni*.c)
CNI_SRC := $(wildcard cni/*.c)
CNIDIR ?= /usr/lib/cni
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
LIBEXECDIR ?= $(PREFIX)/libexec/netcell
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR ?= $(DATADIR)/zsh/site-functions
SYSTEMDSYSTEMUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSTEMDUSERUNITDIR ?= $(PREFIX)/lib/systemd/user
UNIT_SRC := $(wildcard tests/unit/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
CNI_OBJ := $(CNI_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)

all: $(BUILD)/netcell $(BUILD)/netcell-stage $(BUILD)/cni/netcell $(BUILD)/libnetcell.so.0 $(UNIT_BIN) \
	$(BUILD)/libnetcell.pc $(BUILD)/system/netcell.service $(BUILD)/user/netcell.service

# the directories compiled in: objects are rebuilt when they change (make
# install PREFIX=/usr after a plain make must not install /usr/local paths)
PATHS_STAMP := $(BUILD)/paths.stamp
$(shell mkdir -p $(BUILD); echo '$(PREFIX) $(BINDIR) $(LIBDIR) $(INCLUDEDIR) $(LIBEXECDIR) $(VERSION)' | cmp -s - $(PATHS_STAMP) || \
	echo '$(PREFIX) $(BINDIR) $(LIBDIR) $(INCLUDEDIR) $(LIBEXECDIR) $(VERSION)' > $(PATHS_STAMP))

$(BUILD)/%.o: %.c $(wildcard include/*.h lib/*/*.h cli/*.h cni/*.h) Makefile $(PATHS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/libnetcell.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/libnetcell.so.0: $(LIB_OBJ) lib/libnetcell.map
	$(CC) -shared -Wl,-soname,libnetcell.so.0 -Wl,--version-script=lib/libnetcell.map $(LDFLAGS) \
		$(LDSAN) -o $@ $(LIB_OBJ) $(LDLIBS)

$(BUILD)/netcell: $(CLI_OBJ) $(BUILD)/libnetcell.a
	$(CC) $(LDSAN) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libnetcell.a $(LDLIBS) $(CLI_LIBS)

# the CNI plugin, installed as CNIDIR/netcell (docs/cni.md)
$(BUILD)/cni/netcell: $(CNI_OBJ) $(BUILD)/libnetcell.a
	$(CC) $(LDSAN) $(LDFLAGS) -o $@ $(CNI_OBJ) $(BUILD)/libnetcell.a $(LDLIBS) $(CLI_LIBS)

# the firewall recorder fw stage binds over iptables and nft (lib/fw/stagerec.c)
$(BUILD)/netcell-stage: $(BUILD)/helper/netcell-stage.o $(BUILD)/libnetcell.a
	$(CC) $(LDSAN) $(LDFLAGS) -o $@ $< $(BUILD)/libnetcell.a $(LDLIBS)

$(BUILD)/unit/%: tests/unit/%.c tests/unit/unit.h $(BUILD)/libnetcell.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $(LDSAN) -o $@ $< $(BUILD)/libnetcell.a $(LDLIBS)

# libFuzzer targets, one per parser of user input: make fuzz (clang)
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=build-fuzz/%)

fuzz:
	$(MAKE) SAN=fuzz fuzz-bins

fuzz-bins: $(FUZZ_BIN)

# the CNI plugin's configuration parser lives in its front end (json-c)
build-fuzz/fuzz_cniconf: fuzz/fuzz_cniconf.c fuzz/fuzz.h cni/conf.c cni/cni.h $(BUILD)/libnetcell.a
	$(CC) $(CFLAGS) -Ifuzz -Icni -fsanitize=fuzzer,address,undefined -o $@ $< cni/conf.c \
		$(BUILD)/libnetcell.a $(LDLIBS) $(CLI_LIBS)

build-fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(BUILD)/libnetcell.a
	$(CC) $(CFLAGS) -Ifuzz -fsanitize=fuzzer,address,undefined -o $@ $< $(BUILD)/libnetcell.a $(LDLIBS)

# The whole suite: unit tests, then integration tests as root and as an
# unprivileged user, with the normal and the sanitizer build.
check:
	tests/run

# cppcheck does not know __attribute__((cleanup)): its leak findings on
# _cleanup_ variables are false, so those two checks are off
lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--inline-suppr -Iinclude -Ilib lib cli cni
	scripts/check-layers

# make install [PREFIX=/usr/local] [DESTDIR=]: the tool, the library for
# other programs (header, pkg-config), the recorder fw stage runs, man page,
# shell completion and systemd units; make uninstall removes exactly those
$(BUILD)/libnetcell.pc: dist/libnetcell.pc.in $(PATHS_STAMP)
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' $< > $@

$(BUILD)/%/netcell.service: dist/netcell-%.service.in $(PATHS_STAMP)
	@mkdir -p $(dir $@)
	sed -e 's|@BINDIR@|$(BINDIR)|g' $< > $@

UNITS := $(BUILD)/system/netcell.service $(BUILD)/user/netcell.service
INSTALLED := $(BINDIR)/netcell $(LIBEXECDIR)/netcell-stage \
	$(LIBDIR)/libnetcell.so.$(VERSION) $(LIBDIR)/libnetcell.so.0 $(LIBDIR)/libnetcell.so \
	$(LIBDIR)/pkgconfig/libnetcell.pc $(INCLUDEDIR)/netcell.h \
	$(MANDIR)/man1/netcell.1 $(BASHCOMPDIR)/netcell $(ZSHCOMPDIR)/_netcell \
	$(SYSTEMDSYSTEMUNITDIR)/netcell.service $(SYSTEMDUSERUNITDIR)/netcell.service \
	$(CNIDIR)/netcell

install: all $(BUILD)/libnetcell.pc $(UNITS)
	install -Dm755 $(BUILD)/netcell $(DESTDIR)$(BINDIR)/netcell
	install -Dm755 $(BUILD)/netcell-stage $(DESTDIR)$(LIBEXECDIR)/netcell-stage
	install -Dm644 $(BUILD)/libnetcell.so.0 $(DESTDIR)$(LIBDIR)/libnetcell.so.$(VERSION)
	ln -sf libnetcell.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libnetcell.so.0
	ln -sf libnetcell.so.0 $(DESTDIR)$(LIBDIR)/libnetcell.so
	install -Dm644 $(BUILD)/libnetcell.pc $(DESTDIR)$(LIBDIR)/pkgconfig/libnetcell.pc
	install -Dm644 include/netcell.h $(DESTDIR)$(INCLUDEDIR)/netcell.h
	install -Dm644 netcell.1 $(DESTDIR)$(MANDIR)/man1/netcell.1
	install -Dm644 dist/netcell.bash $(DESTDIR)$(BASHCOMPDIR)/netcell
	install -Dm644 dist/_netcell $(DESTDIR)$(ZSHCOMPDIR)/_netcell
	install -Dm644 $(BUILD)/system/netcell.service $(DESTDIR)$(SYSTEMDSYSTEMUNITDIR)/netcell.service
	install -Dm644 $(BUILD)/user/netcell.service $(DESTDIR)$(SYSTEMDUSERUNITDIR)/netcell.service
	install -Dm755 $(BUILD)/cni/netcell $(DESTDIR)$(CNIDIR)/netcell

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(LIBEXECDIR) 2>/dev/null

clean:
	rm -rf build build-asan build-fuzz

.PHONY: all check clean lint fuzz fuzz-bins install uninstall
