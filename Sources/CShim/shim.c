#define _GNU_SOURCE
#include "cshim.h"
#include <errno.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <pthread.h>

_Static_assert(sizeof(struct kakapo_mmsghdr) == sizeof(struct mmsghdr), "mmsghdr layout");
_Static_assert(offsetof(struct kakapo_mmsghdr, msg_len) == offsetof(struct mmsghdr, msg_len), "mmsghdr layout");

// Set once a kernel answered ENOSYS; read and written by every receiving thread (a stale read
// only costs one more ENOSYS).
static int recvmmsg_missing = 0;
static int sendmmsg_missing = 0;

int kakapo_recvmmsg(int fd, struct kakapo_mmsghdr *v, unsigned int n) {
    if (!__atomic_load_n(&recvmmsg_missing, __ATOMIC_RELAXED)) {
        int r = recvmmsg(fd, (struct mmsghdr *)v, n, MSG_DONTWAIT, NULL);
        if (r >= 0 || errno != ENOSYS) return r;
        __atomic_store_n(&recvmmsg_missing, 1, __ATOMIC_RELAXED);
    }
    unsigned int got = 0;
    for (; got < n; got++) {
        ssize_t r = recvmsg(fd, &v[got].msg_hdr, MSG_DONTWAIT);
        if (r < 0) {
            if (got == 0) return -1;
            break;
        }
        v[got].msg_len = (unsigned int)r;
    }
    return (int)got;
}

int kakapo_sendmmsg(int fd, struct kakapo_mmsghdr *v, unsigned int n) {
    if (!__atomic_load_n(&sendmmsg_missing, __ATOMIC_RELAXED)) {
        int r = sendmmsg(fd, (struct mmsghdr *)v, n, 0);
        if (r >= 0 || errno != ENOSYS) return r;
        __atomic_store_n(&sendmmsg_missing, 1, __ATOMIC_RELAXED);
    }
    unsigned int sent = 0;
    for (; sent < n; sent++) {
        ssize_t r = sendmsg(fd, &v[sent].msg_hdr, 0);
        if (r < 0) {
            if (sent == 0) return -1;
            break;
        }
        v[sent].msg_len = (unsigned int)r;
    }
    return (int)sent;
}

int kakapo_epoll_add(int ep, int fd, int exclusive) {
    struct epoll_event ev;
    ev.events = EPOLLIN | (exclusive ? EPOLLEXCLUSIVE : 0);
    ev.data.fd = fd;
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

int kakapo_epoll_wait(int ep, int *fds, int max, int timeout) {
    struct epoll_event ev[16];
    if (max > 16) max = 16;
    int n = epoll_wait(ep, ev, max, timeout);
    for (int i = 0; i < n; i++) fds[i] = ev[i].data.fd;
    return n;
}

int kakapo_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int kakapo_eventfd(void) { return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); }

void kakapo_name_thread(const char *name) { (void)pthread_setname_np(pthread_self(), name); }
