#!/bin/sh
# sparse for kernels whose headers are newer than Debian's sparse (0.6.4,
# the newest in bookworm and trixie). 7.x headers use, under __CHECKER__,
# two things 0.6.4 does not know:
#  - __typeof_unqual__ (percpu accessors, READ_ONCE): read as __typeof__,
#    which keeps qualifiers; it can only add warnings, never hide one of ours;
#  - __builtin_strlen() of a literal as a constant (MODULE_INFO's
#    static_assert in 7.x): given as sizeof - 1, true for literals.
# The Makefile passes this as CHECK with KBUILD_CHECKSRC forced, because
# Debian's headers packages lack scripts/checker-valid.sh.
exec sparse -D'__typeof_unqual__=__typeof__' \
	-D'__builtin_strlen(s)=(sizeof(s) - 1)' "$@"
