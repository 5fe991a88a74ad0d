// Shared by the WASI test guests: errno names, so expected outputs read well.
#pragma once

#include <errno.h>
#include <stdio.h>

static const char *errnoName(int e) {
  switch (e) {
  case 0:
    return "ok";
  case ENOTCAPABLE:
    return "ENOTCAPABLE";
  case EROFS:
    return "EROFS";
  case ENOENT:
    return "ENOENT";
  case EEXIST:
    return "EEXIST";
  case EPERM:
    return "EPERM";
  case EACCES:
    return "EACCES";
  case ENOTDIR:
    return "ENOTDIR";
  case EISDIR:
    return "EISDIR";
  case ENOTEMPTY:
    return "ENOTEMPTY";
  case ELOOP:
    return "ELOOP";
  case EXDEV:
    return "EXDEV";
  case EINVAL:
    return "EINVAL";
  case EBADF:
    return "EBADF";
  case ENOSYS:
    return "ENOSYS";
  case ENOTSUP:
    return "ENOTSUP";
  case EBUSY:
    return "EBUSY";
  case EFAULT:
    return "EFAULT";
  case EILSEQ:
    return "EILSEQ";
  case ENOSPC:
    return "ENOSPC";
  case ESPIPE:
    return "ESPIPE";
  case EMFILE:
    return "EMFILE";
  case ENAMETOOLONG:
    return "ENAMETOOLONG";
  default:
    return "E?";
  }
}
