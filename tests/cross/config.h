/* Stand-in for configure's config.h when cross-compiling test-context.c
 * alone (see the comment at its top). */
