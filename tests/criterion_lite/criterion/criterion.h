/* SPDX-License-Identifier: Apache-2.0 */
/* A stand-in for Criterion's <criterion/criterion.h>, for tests built under ThreadSanitizer
 * (preset tsan): Criterion itself is not instrumented and crashes there. It has what the tests
 * built this way use: Test(suite, name, ...) (attributes such as .timeout are ignored; ctest's
 * timeout applies), cr_assert, cr_assert_eq, cr_assert_null, cr_assert_not_null and
 * cr_assert_str_eq, each with an optional printf-style message. The tests run one after another
 * in one process, in the order they are defined; the first failed assertion prints where and why
 * and exits with status 1. Include it in one translation unit only (it defines main()). */
#ifndef KILN_CRITERION_LITE_H
#define KILN_CRITERION_LITE_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct crl_test {
    const char *suite, *name;
    void (*fn)(void);
};

#define CRL_MAX_TESTS 256
static struct crl_test crl_tests[CRL_MAX_TESTS];
static int crl_count;

static void crl_register(const char *suite, const char *name, void (*fn)(void))
{
    if (crl_count == CRL_MAX_TESTS) {
        fprintf(stderr, "criterion_lite: more than %d tests\n", CRL_MAX_TESTS);
        exit(2);
    }
    crl_tests[crl_count++] = (struct crl_test){suite, name, fn};
}

static const struct crl_test *crl_current;

/* fmt and what follows it: an assertion's optional message, then one "" more (see below). The
 * message is a test's own literal, left unchecked: with a format attribute, the "" added after it
 * would trip -Wformat-extra-args, and an empty one -Wformat-zero-length. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void crl_fail(const char *file, int line, const char *what, const char *fmt, ...)
{
    fprintf(stderr, "%s:%d: %s::%s: assertion failed: %s", file, line, crl_current->suite,
            crl_current->name, what);
    if (fmt[0]) {
        va_list ap;
        va_start(ap, fmt);
        fputs(": ", stderr);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
    }
    fputc('\n', stderr);
    exit(1);
}
#pragma GCC diagnostic pop

/* Each macro passes one argument more ("" or 0) to an inner one, so that a call without the
 * optional part still gives `...` an argument (C11 wants one; -Wpedantic says so). */

/* Registered before main() runs, in definition order within the file. */
#define Test(...) CRL_TEST_(__VA_ARGS__, 0)
#define CRL_TEST_(suite, name, ...)                                                                \
    static void suite##_##name(void);                                                              \
    __attribute__((constructor)) static void suite##_##name##_register(void)                       \
    {                                                                                              \
        crl_register(#suite, #name, suite##_##name);                                               \
    }                                                                                              \
    static void suite##_##name(void)

#define cr_assert(...) CRL_ASSERT_(__VA_ARGS__, "")
#define CRL_ASSERT_(cond, ...)                                                                     \
    do {                                                                                           \
        if (!(cond))                                                                               \
            crl_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                                      \
    } while (0)
#define cr_assert_eq(...)             CRL_ASSERT_EQ_(__VA_ARGS__, "")
#define CRL_ASSERT_EQ_(a, b, ...)     CRL_ASSERT_((a) == (b), __VA_ARGS__)
#define cr_assert_null(...)           CRL_ASSERT_NULL_(__VA_ARGS__, "")
#define CRL_ASSERT_NULL_(p, ...)      CRL_ASSERT_((p) == NULL, __VA_ARGS__)
#define cr_assert_not_null(...)       CRL_ASSERT_NOT_NULL_(__VA_ARGS__, "")
#define CRL_ASSERT_NOT_NULL_(p, ...)  CRL_ASSERT_((p) != NULL, __VA_ARGS__)
#define cr_assert_str_eq(...)         CRL_ASSERT_STR_EQ_(__VA_ARGS__, "")
#define CRL_ASSERT_STR_EQ_(a, b, ...) CRL_ASSERT_(strcmp((a), (b)) == 0, __VA_ARGS__)

int main(void)
{
    for (int i = 0; i < crl_count; i++) {
        crl_current = &crl_tests[i];
        crl_current->fn();
        printf("ok %s::%s\n", crl_current->suite, crl_current->name);
    }
    printf("%d tests passed\n", crl_count);
    return 0;
}

#endif
