// Exit statuses of the halter CLI; documented in `halter --help` and README.md.
#pragma once

#include "halter/outcome.h"
#include "halter/result.h"

namespace halter::cli {

enum ExitStatus : int {
  kExitOk = 0,
  kExitInvalid = 1, // invalid or malformed module, unreadable file
  kExitUsage = 2,
  kExitLink = 3, // unknown or incompatible import
  kExitTrap = 4,
  kExitOutOfFuel = 5,
  kExitDeadline = 6,
  kExitCancelled = 7,
  kExitTooLarge = 8,  // the module file is above --max-module-size (default 1 GiB)
  kExitLimit = 9,     // the module needs more than a limit allows (memory, table, start function)
  kExitManifest = 10, // invalid pipeline manifest (or a processor it names)
  kExitPipelineFailed = 11, // the pipeline failed under its failure strategy
  kExitSuspended = 12,      // the guest suspended in a --suspend-on import (saved by --snapshot-to)
  kExitSnapshot = 13,       // a snapshot that is invalid, of another module, or cannot be made
};

inline constexpr const char *kExitStatusHelp = "Exit status:\n"
                                               "  0  success\n"
                                               "  1  invalid or malformed module, unreadable file\n"
                                               "  2  usage error\n"
                                               "  3  link error (unknown or incompatible import)\n"
                                               "  4  trap\n"
                                               "  5  out of fuel\n"
                                               "  6  deadline exceeded\n"
                                               "  7  cancelled\n"
                                               "  8  module file above --max-module-size "
                                               "(default 1 GiB)\n"
                                               "  9  refused by a limit at instantiation\n"
                                               " 10  invalid pipeline manifest\n"
                                               " 11  the pipeline failed (under its "
                                               "failure_strategy)\n"
                                               " 12  suspended in a --suspend-on import (saved "
                                               "with --snapshot-to)\n"
                                               " 13  invalid snapshot, or the execution cannot "
                                               "be saved\n"
                                               "A guest that exits (WASI proc_exit, or a command's "
                                               "return from main) gives its own exit code.\n";

// Status for an error from compile or instantiate.
inline int exitStatusFor(const Error &error) {
  if (errorPhase(error.code) == ErrorPhase::Link) return kExitLink;
  switch (error.code) {
  case ErrorCode::InstantiationTrap:
    return kExitTrap;
  case ErrorCode::ResourceLimit:
    return kExitLimit;
  case ErrorCode::DeadlineExceeded: // in the start function
    return kExitDeadline;
  case ErrorCode::Cancelled:
    return kExitCancelled;
  case ErrorCode::InvalidSnapshot:
    return kExitSnapshot;
  default:
    return kExitInvalid;
  }
}

inline int exitStatusFor(OutcomeKind kind) {
  switch (kind) {
  case OutcomeKind::Returned:
    return kExitOk;
  case OutcomeKind::Trapped:
    return kExitTrap;
  case OutcomeKind::OutOfFuel:
    return kExitOutOfFuel;
  case OutcomeKind::DeadlineExceeded:
    return kExitDeadline;
  case OutcomeKind::Cancelled:
    return kExitCancelled;
  case OutcomeKind::Exited: // the CLI returns the guest's own code instead
    return kExitOk;
  case OutcomeKind::Suspended:
    return kExitSuspended;
  }
  return kExitInvalid;
}

} // namespace halter::cli
