/*-------------------------------------------------------------------------
 *
 * asan_preload.c
 *	  A shim preloaded after the ASan runtime into Debian's (uninstrumented)
 *	  postgres, so that the runtime initializes before anything takes
 *	  glibc's gettext lock.
 *
 * Why: with LD_PRELOAD, the ASan runtime's own initializer runs late, after
 * those of the libraries postgres links.  libgpg-error's (pulled in by
 * libsystemd -> libgcrypt) calls bindtextdomain(), which mallocs while it
 * holds the write lock of glibc's _nl_state_lock; that first malloc
 * initializes ASan, whose set-up calls dlerror() -> dcgettext(), which takes
 * the same lock for reading.  The lock ends up corrupted and the next
 * bindtextdomain() (postgres's own, in main) waits for ever: every server
 * binary hangs at start.
 *
 * The fix: this bindtextdomain() wrapper initializes ASan (__asan_init)
 * before calling glibc's, outside the lock.  It does nothing else.  Built
 * and used only by the asan tier of test/run-tests; see the README.
 *
 *-------------------------------------------------------------------------
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>

extern void __asan_init(void);
char	   *bindtextdomain(const char *domainname, const char *dirname);

char *
bindtextdomain(const char *domainname, const char *dirname)
{
	static char *(*real) (const char *, const char *) = NULL;

	__asan_init();
	if (real == NULL)
		real = (char *(*) (const char *, const char *)) dlsym(RTLD_NEXT, "bindtextdomain");
	return real ? real(domainname, dirname) : NULL;
}
