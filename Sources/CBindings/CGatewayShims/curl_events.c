/* libcurl's multi_socket interface on epoll: see cgs_curl_events in CGatewayShims.h. */
#include <errno.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include "CGatewayShims.h"

static long long monotonic_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* CURLMOPT_SOCKETFUNCTION: keeps the epoll set in step with what libcurl wants to know about each socket. */
static int socket_changed(CURL *easy, curl_socket_t socket, int what, void *userp, void *socketp) {
    (void)easy;
    (void)socketp;
    cgs_curl_events *events = userp;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(events->epoll_fd, EPOLL_CTL_DEL, socket, NULL);
        return 0;
    }
    struct epoll_event event = {0};
    event.data.fd = socket;
    if (what & CURL_POLL_IN) event.events |= EPOLLIN;
    if (what & CURL_POLL_OUT) event.events |= EPOLLOUT;
    /* A socket libcurl reports again is modified; a new one (or a reused descriptor number) is added. Failing is
       not reported to libcurl: -1 would abort every transfer of the multi handle, while a socket left unwatched
       costs only its own transfers, which end at their timeout. */
    if (epoll_ctl(events->epoll_fd, EPOLL_CTL_MOD, socket, &event) != 0 && errno == ENOENT) {
        epoll_ctl(events->epoll_fd, EPOLL_CTL_ADD, socket, &event);
    }
    return 0;
}

/* CURLMOPT_TIMERFUNCTION: libcurl's single timer, kept as a deadline for the wait. */
static int timer_changed(CURLM *multi, long timeout_ms, void *userp) {
    (void)multi;
    cgs_curl_events *events = userp;
    events->deadline_ms = timeout_ms < 0 ? -1 : monotonic_ms() + timeout_ms;
    return 0;
}

int cgs_curl_events_open(CURLM *multi, cgs_curl_events *events) {
    events->deadline_ms = -1;
    events->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    events->wake_fd = -1;
    if (events->epoll_fd < 0) return errno;
    events->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (events->wake_fd < 0) {
        int error = errno;
        cgs_curl_events_close(events);
        return error;
    }
    struct epoll_event wake = {0};
    wake.events = EPOLLIN;
    wake.data.fd = events->wake_fd;
    if (epoll_ctl(events->epoll_fd, EPOLL_CTL_ADD, events->wake_fd, &wake) != 0) {
        int error = errno;
        cgs_curl_events_close(events);
        return error;
    }
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, socket_changed);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, events);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, timer_changed);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, events);
    return 0;
}

void cgs_curl_events_close(cgs_curl_events *events) {
    if (events->wake_fd >= 0) close(events->wake_fd);
    if (events->epoll_fd >= 0) close(events->epoll_fd);
    events->wake_fd = -1;
    events->epoll_fd = -1;
}

void cgs_curl_events_wake(const cgs_curl_events *events) {
    if (events->wake_fd < 0) return;
    uint64_t one = 1;
    /* EAGAIN means the counter is already set, so the loop wakes anyway. */
    ssize_t written = write(events->wake_fd, &one, sizeof one);
    (void)written;
}

enum { READY_AT_ONCE = 64 };

int cgs_curl_events_run_once(CURLM *multi, cgs_curl_events *events, int max_wait_ms) {
    int wait_ms = max_wait_ms;
    if (events->deadline_ms >= 0) {
        long long remaining = events->deadline_ms - monotonic_ms();
        if (remaining < wait_ms) wait_ms = remaining < 0 ? 0 : (int)remaining;
    }
    struct epoll_event ready[READY_AT_ONCE];
    int count = epoll_wait(events->epoll_fd, ready, READY_AT_ONCE, wait_ms);
    int running = 0;
    int sockets = 0;
    for (int index = 0; index < count; index++) {
        int fd = ready[index].data.fd;
        if (fd == events->wake_fd) {
            uint64_t counter;
            ssize_t drained = read(events->wake_fd, &counter, sizeof counter);
            (void)drained;
            continue;
        }
        int mask = 0;
        if (ready[index].events & EPOLLIN) mask |= CURL_CSELECT_IN;
        if (ready[index].events & EPOLLOUT) mask |= CURL_CSELECT_OUT;
        if (ready[index].events & (EPOLLERR | EPOLLHUP)) mask |= CURL_CSELECT_ERR;
        curl_multi_socket_action(multi, fd, mask, &running);
        sockets++;
    }
    /* A wait that ends with nothing ready also hands libcurl its timer: at most a second apart, so a missed
       event cannot leave a transfer unattended (what curl_multi_perform's walk over every transfer used to do). */
    if (count == 0 || (events->deadline_ms >= 0 && monotonic_ms() >= events->deadline_ms)) {
        events->deadline_ms = -1;
        curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    return sockets;
}
