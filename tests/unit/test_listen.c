/* test_listen: the --listen address parser and a peer address as text (the access log's and
 * the trusted-proxy check's "ip"). */
#include "http/listen.h"
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

static void test_parse(void **state)
{
    (void)state;
    struct sockaddr_storage a;
    socklen_t len = 0;
    assert_true(listen_parse("127.0.0.1:8080", &a, &len));
    assert_int_equal(a.ss_family, AF_INET);
    assert_int_equal(len, sizeof(struct sockaddr_in));
    assert_int_equal(ntohs(((struct sockaddr_in *)&a)->sin_port), 8080);
    assert_true(listen_parse("[::1]:443", &a, &len));
    assert_int_equal(a.ss_family, AF_INET6);
    assert_int_equal(ntohs(((struct sockaddr_in6 *)&a)->sin6_port), 443);
    const char *bad[] = {NULL,
                         "",
                         "8080",
                         "127.0.0.1",
                         "127.0.0.1:",
                         "127.0.0.1:0",
                         "127.0.0.1:65536",
                         "127.0.0.1:80a",
                         "localhost:8080",
                         "[::1:80",
                         "::1:80",
                         "[]:80",
                         "1.2.3:80"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(listen_parse(bad[i], &a, &len));
}

static const char *ipv4(const char *dotted, char out[INET6_ADDRSTRLEN])
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    assert_int_equal(inet_pton(AF_INET, dotted, &sa.sin_addr), 1);
    listen_address_text((const struct sockaddr *)&sa, out);
    return out;
}

static void test_address_text(void **state)
{
    (void)state;
    char out[INET6_ADDRSTRLEN];
    const char *v4[] = {"0.0.0.0",       "127.0.0.1",  "255.255.255.255", "10.20.0.5",
                        "192.168.100.1", "1.10.100.9", "203.0.113.250",   "99.9.199.200"};
    for (size_t i = 0; i < sizeof v4 / sizeof *v4; i++)
        assert_string_equal(ipv4(v4[i], out), v4[i]);
    struct sockaddr_in6 six = {.sin6_family = AF_INET6};
    assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", &six.sin6_addr), 1);
    listen_address_text((const struct sockaddr *)&six, out);
    assert_string_equal(out, "2001:db8::1");
    listen_address_text(NULL, out);
    assert_string_equal(out, "-");
    struct sockaddr other = {.sa_family = AF_UNIX};
    listen_address_text(&other, out);
    assert_string_equal(out, "-");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_address_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
