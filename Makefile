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
PKGS := libmnl libnftables
WARN := -Wall -Wextra -Werror=missing-prototypes -Werror=shadow \
	-Werror=strict-prototypes -Werror=format=2 -Werror=switch-default \
	-Werror=implicit-function-declaration -Wno-missing-field-initializers $(if $(filter clang,$(CC)),,-Wno-format-truncation)
CFLAGS += -std=c11 -D_GNU_SOURCE $(WARN) $(OPT) -fstack-protector-strong \
	-fvisibility=hidden -fPIC -Iinclude -Ilib \
	$(shell pkg-config --cflags $(PKGS)) -DNETCELL_VERSION=\"$(VERSION)\" \
	-DNETCELL_LIBEXECDIR=\"$(LIBEXECDIR)\"
LDLIBS += $(shell pkg-config --libs $(PKGS))
VERSION := 0.1.0

LIB_SRC := $(wildcard lib/*.c)
CLI_SRC := $(wildcard cli/*.c)
PREFIX ?= /usr/local
LIBEXECDIR ?= $(PREFIX)/libexec/netcell
UNIT_SRC := $(wildcard tests/unit/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)

all: $(BUILD)/netcell $(BUILD)/netcell-stage $(BUILD)/libnetcell.so.0 $(UNIT_BIN)

$(BUILD)/%.o: %.c $(wildcard include/*.h lib/*.h cli/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/libnetcell.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/libnetcell.so.0: $(LIB_OBJ) lib/libnetcell.map
	$(CC) -shared -Wl,-soname,libnetcell.so.0 -Wl,--version-script=lib/libnetcell.map \
		$(LDSAN) -o $@ $(LIB_OBJ) $(LDLIBS)

$(BUILD)/netcell: $(CLI_OBJ) $(BUILD)/libnetcell.a
	$(CC) $(LDSAN) -o $@ $(CLI_OBJ) $(BUILD)/libnetcell.a $(LDLIBS)

# the firewall recorder fw stage binds over iptables and nft (lib/stagerec.c)
$(BUILD)/netcell-stage: $(BUILD)/helper/netcell-stage.o $(BUILD)/libnetcell.a
	$(CC) $(LDSAN) -o $@ $< $(BUILD)/libnetcell.a $(LDLIBS)

$(BUILD)/unit/%: tests/unit/%.c tests/unit/unit.h $(BUILD)/libnetcell.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $(LDSAN) -o $@ $< $(BUILD)/libnetcell.a $(LDLIBS)

# libFuzzer targets, one per parser of user input: make fuzz (clang)
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=build-fuzz/%)

fuzz:
	$(MAKE) SAN=fuzz fuzz-bins

fuzz-bins: $(FUZZ_BIN)

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
		--inline-suppr -Iinclude -Ilib lib cli

clean:
	rm -rf build build-asan build-fuzz

.PHONY: all check clean lint fuzz fuzz-bins
