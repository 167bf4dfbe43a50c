# Pforte build. `make run` and `make check` are the two commands a new user needs.
CC ?= cc
PKGS := libmicrohttpd sqlite3 libsodium zlib libcmark-gfm jansson
# GMime, libcurl and libpq: headers at build time, each library opened at runtime when first
# needed (src/mail/inbound.c, src/mail/curl_lib.c, src/store/postgres.c): an instance on
# SQLite delivering to a Maildir maps none of them
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) gmime-3.0 libcurl libpq 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lzxcvbn -lpthread -lm
WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -Wshadow -Wformat=2 -Wvla
CFLAGS ?= -O2 -g
# The program is optimised across files (inlining the small helpers every page calls: about
# 15% less CPU per list page). Fat objects: the unit tests link the same objects without LTO.
LTO_FLAGS ?= -flto=auto -ffat-lto-objects
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Isrc -Ibuild/gen $(PKG_CFLAGS) -MMD -MP

SRC := $(shell find src -name '*.c' | sort)
LIB_SRC := $(filter-out src/main.c,$(SRC))
EMBED_FILES := $(shell find templates static locale src/store/migrations -type f 2>/dev/null | sort)
GEN := build/gen/embedded.c

OBJ := $(patsubst %.c,build/obj/%.o,$(SRC) $(GEN))
LIB_OBJ := $(filter-out build/obj/src/main.o,$(OBJ))
ASAN_OBJ := $(patsubst build/obj/%,build/asan/%,$(OBJ))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,build/tests/%,$(UNIT_SRC))
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
FUZZ_BIN := $(patsubst fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))

.PHONY: all asan unit unit-asan fuzz-build fuzz check run deps deps-test format clean bench
all: build/pforte

build/tools/embed: tools/embed.c
	@mkdir -p $(@D)
	$(CC) -O1 -o $@ $<

# The list of embedded files, rewritten only when it changes: a deleted file (a migration, a
# template) rebuilds the embedding too, not only an added or changed one.
EMBED_LIST := build/gen/embedded.list
$(shell mkdir -p build/gen && { echo '$(EMBED_FILES)' | cmp -s - $(EMBED_LIST) || \
	echo '$(EMBED_FILES)' > $(EMBED_LIST); })

$(GEN): build/tools/embed $(EMBED_FILES) $(EMBED_LIST)
	@mkdir -p $(@D)
	build/tools/embed $@ . $(EMBED_FILES)

# Word lists of src/auth/wordlist.c, embedded with .incbin: listed as prerequisites of its
# objects because the compiler's -MMD does not see .incbin. Lowercased (UTF-8), sorted bytewise.
AUTH_LISTS := build/gen/dict-words.txt build/gen/common-passwords.txt
AUTH_DICTS := /usr/share/dict/ngerman /usr/share/dict/american-english
LOWERCASE := LC_ALL=C.UTF-8 sed 's/[[:upper:]]/\L&/g'
build/gen/dict-words.txt: $(AUTH_DICTS)
	@mkdir -p $(@D)
	cat $(AUTH_DICTS) | grep -v "'" | $(LOWERCASE) | LC_ALL=C sort -u > $@.tmp
	test -s $@.tmp && mv $@.tmp $@

build/gen/common-passwords.txt: data/common-passwords.txt
	@mkdir -p $(@D)
	grep -v '^#' $< | grep . | $(LOWERCASE) | LC_ALL=C sort -u > $@.tmp
	test -s $@.tmp && mv $@.tmp $@

build/obj/src/auth/wordlist.o build/asan/src/auth/wordlist.o build/fuzzobj/src/auth/wordlist.o: $(AUTH_LISTS)

build/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LTO_FLAGS) -c -o $@ $<

build/pforte: $(OBJ)
	$(CC) $(CFLAGS) $(LTO_FLAGS) -o $@ $(OBJ) $(PKG_LIBS)

# AddressSanitizer + UndefinedBehaviorSanitizer build of the same program
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
build/asan/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) -c -o $@ $<

build/pforte-asan: $(ASAN_OBJ)
	$(CC) $(ASAN_FLAGS) -o $@ $(ASAN_OBJ) $(PKG_LIBS)
asan: build/pforte-asan

# unit tests: one cmocka program per tests/unit/test_*.c, linked with everything but main
build/tests/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(LIB_OBJ) $(PKG_LIBS) -lcmocka
unit: $(UNIT_BIN)

# the unit tests again, linked against the sanitizer build
ASAN_LIB_OBJ := $(filter-out build/asan/src/main.o,$(ASAN_OBJ))
UNIT_ASAN_BIN := $(patsubst tests/unit/%.c,build/tests-asan/%,$(UNIT_SRC))
build/tests-asan/%: tests/unit/%.c $(ASAN_LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) -Itests/unit -o $@ $< $(ASAN_LIB_OBJ) $(PKG_LIBS) -lcmocka
unit-asan: $(UNIT_ASAN_BIN)

# libFuzzer targets: the library is compiled once with clang, each target links against it
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -Isrc -Ibuild/gen $(PKG_CFLAGS)
FUZZ_SAN := -fsanitize=address,undefined
FUZZ_OBJ := $(patsubst build/obj/%,build/fuzzobj/%,$(LIB_OBJ))
build/fuzzobj/%.o: %.c
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -MMD -MP $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c -o $@ $<
build/fuzz/%: fuzz/%.c $(FUZZ_OBJ)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) $(PKG_LIBS)
fuzz-build: $(FUZZ_BIN)
fuzz: fuzz-build
	FUZZ_SECONDS=300 scripts/fuzz.sh

deps:
	@scripts/deps.sh run
deps-test:
	@scripts/deps.sh test

run: deps
	@$(MAKE) --no-print-directory all
	build/pforte serve --demo

check: deps-test
	@$(MAKE) --no-print-directory -j2 all asan unit unit-asan fuzz-build || \
		{ echo "build failed: see the compiler output above"; echo "0 passed, 1 failed"; exit 1; }
	@scripts/check.sh

bench: all
	bench/run

format:
	clang-format -i $(SRC) $(shell find src -name '*.h') $(UNIT_SRC) $(FUZZ_SRC)

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
