# SPDX-License-Identifier: GPL-2.0
#
# zvmo: Zircon-style virtual memory objects for Linux.
#
#   make            module (for the running kernel, or every kernel with
#                   headers under /lib/modules), libzvmo, tools, selftests,
#                   benchmarks and host tests
#   make KDIR=DIR   the module for the kernel build tree DIR only
#   make check      host tests, then the kselftests in a VM on 6.1 and 6.12
#   make check-debug the kselftests on a KASAN/lockdep/kmemleak kernel built
#                   from Debian's linux-source-6.12 (cached outside the tree)
#   make demo       the demo program in a VM
#   make bench      the benchmarks in a VM, as ratios to Linux baselines
#   make lint       checkpatch --strict, sparse and kernel-doc
#   make install    the module (modules_install + depmod), udev rule,
#                   libzvmo, zvmo-stat and man pages, under DESTDIR and
#                   PREFIX (/usr/local); MODULES_LOAD=1 also loads it at boot
#   make man        the man pages, into build/man
#   make htmldocs   Documentation/ with Sphinx, into build/htmldocs
#   make packages   the Debian packages, into build/packages
#   make deps       install the Debian packages all of this needs
#
# Module builds land in build/<kernel release>/zvmo.ko.

top := $(abspath .)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
UDEVRULESDIR ?= /usr/lib/udev/rules.d
MODULESLOADDIR ?= /usr/lib/modules-load.d
MODULES_LOAD ?= 0

ifneq ($(KDIR),)
KDIRS := $(KDIR)
else
running_kdir := /lib/modules/$(shell uname -r)/build
KDIRS := $(if $(wildcard $(running_kdir)),$(running_kdir),\
	   $(wildcard /lib/modules/*/build))
endif

# The kernels make check boots: every supported one installed under /boot.
check_kdirs = $(foreach k,$(shell scripts/kernels.sh),/lib/modules/$(k)/build)

all: module userlib selftests tools benches hosttests

deps:
	@scripts/deps.sh

module: deps
	@[ -n "$(strip $(KDIRS))" ] || \
		{ echo "no kernel headers under /lib/modules: make deps"; exit 1; }
	@set -e; for k in $(KDIRS); do scripts/build-module.sh $$k; done

userlib:
	$(MAKE) -C userlib

selftests: userlib deps
	$(MAKE) -C selftests

tools: userlib
	$(MAKE) -C tools

benches: userlib
	$(MAKE) -C bench

hosttests:
	$(MAKE) -C tools/testing/host all

check: deps userlib
	@set -e; for k in $(check_kdirs); do scripts/build-module.sh $$k; done
	$(MAKE) -C selftests
	$(MAKE) -C tools
	@scripts/check.sh

check-debug: deps userlib
	@scripts/build-module.sh "$$(scripts/debug-kernel.sh)" CONFIG_ZVMO_DEBUG=y
	$(MAKE) -C selftests
	@scripts/check.sh --debug

demo: deps userlib tools
	@set -e; for k in $(check_kdirs); do scripts/build-module.sh $$k; done
	@scripts/demo.sh

bench: deps userlib
	@set -e; for k in $(check_kdirs); do scripts/build-module.sh $$k; done
	$(MAKE) -C bench
	@scripts/bench.sh

lint: deps
	@scripts/lint.sh

man:
	@scripts/man.sh build/man

htmldocs: deps
	@scripts/htmldocs.sh build/htmldocs

packages: deps
	@scripts/packages.sh build/packages

install: install-module install-lib install-tools install-man install-udev

install-module: module
	@set -e; for k in $(KDIRS); do scripts/install-module.sh $$k; done

install-lib:
	$(MAKE) -C userlib install PREFIX=$(PREFIX) LIBDIR=$(LIBDIR) \
		INCLUDEDIR=$(INCLUDEDIR)

install-tools:
	$(MAKE) -C tools installable
	install -D -m 0755 build/tools-shared/zvmo-stat $(DESTDIR)$(BINDIR)/zvmo-stat

install-man: man
	@set -e; for d in build/man/man*; do \
		install -d $(DESTDIR)$(MANDIR)/$${d##*/}; \
		cp -P $$d/* $(DESTDIR)$(MANDIR)/$${d##*/}/; \
	done

install-udev:
	install -D -m 0644 tools/system/60-zvmo.rules \
		$(DESTDIR)$(UDEVRULESDIR)/60-zvmo.rules
ifeq ($(MODULES_LOAD),1)
	install -D -m 0644 tools/system/zvmo.conf \
		$(DESTDIR)$(MODULESLOADDIR)/zvmo.conf
endif

clean:
	rm -rf build
	$(MAKE) -C userlib clean
	$(MAKE) -C tools/testing/host clean

.PHONY: all deps module userlib selftests tools benches hosttests check \
	check-debug demo bench lint man htmldocs packages install \
	install-module install-lib install-tools install-man install-udev clean
