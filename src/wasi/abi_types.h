// wasi_snapshot_preview1 constants and memory layouts, as the witx
// definitions give them (all little-endian, offsets in bytes).
#pragma once

#include <cstdint>

namespace halter::wasi {

// The errno values of preview1, in witx order.
enum class Errno : uint16_t {
  Success = 0,
  TooBig,
  Acces,
  AddrInUse,
  AddrNotAvail,
  AfNoSupport,
  Again,
  Already,
  BadF,
  BadMsg,
  Busy,
  Canceled,
  Child,
  ConnAborted,
  ConnRefused,
  ConnReset,
  Deadlk,
  DestAddrReq,
  Dom,
  DQuot,
  Exist,
  Fault,
  FBig,
  HostUnreach,
  IdRm,
  IlSeq,
  InProgress,
  Intr,
  Inval,
  Io,
  IsConn,
  IsDir,
  Loop,
  MFile,
  MLink,
  MsgSize,
  MultiHop,
  NameTooLong,
  NetDown,
  NetReset,
  NetUnreach,
  NFile,
  NoBufs,
  NoDev,
  NoEnt,
  NoExec,
  NoLck,
  NoLink,
  NoMem,
  NoMsg,
  NoProtoOpt,
  NoSpc,
  NoSys,
  NotConn,
  NotDir,
  NotEmpty,
  NotRecoverable,
  NotSock,
  NotSup,
  NoTty,
  NxIo,
  Overflow,
  OwnerDead,
  Perm,
  Pipe,
  Proto,
  ProtoNoSupport,
  ProtoType,
  Range,
  RoFs,
  SPipe,
  Srch,
  Stale,
  TimedOut,
  TxtBsy,
  XDev,
  NotCapable,
};

// Host errno -> WASI errno (EIO for anything without a counterpart).
Errno errnoFromHost(int host_errno);

using Rights = uint64_t;
namespace right {
inline constexpr Rights kFdDatasync = 1ull << 0;
inline constexpr Rights kFdRead = 1ull << 1;
inline constexpr Rights kFdSeek = 1ull << 2;
inline constexpr Rights kFdFdstatSetFlags = 1ull << 3;
inline constexpr Rights kFdSync = 1ull << 4;
inline constexpr Rights kFdTell = 1ull << 5;
inline constexpr Rights kFdWrite = 1ull << 6;
inline constexpr Rights kFdAdvise = 1ull << 7;
inline constexpr Rights kFdAllocate = 1ull << 8;
inline constexpr Rights kPathCreateDirectory = 1ull << 9;
inline constexpr Rights kPathCreateFile = 1ull << 10;
inline constexpr Rights kPathLinkSource = 1ull << 11;
inline constexpr Rights kPathLinkTarget = 1ull << 12;
inline constexpr Rights kPathOpen = 1ull << 13;
inline constexpr Rights kFdReaddir = 1ull << 14;
inline constexpr Rights kPathReadlink = 1ull << 15;
inline constexpr Rights kPathRenameSource = 1ull << 16;
inline constexpr Rights kPathRenameTarget = 1ull << 17;
inline constexpr Rights kPathFilestatGet = 1ull << 18;
inline constexpr Rights kPathFilestatSetSize = 1ull << 19;
inline constexpr Rights kPathFilestatSetTimes = 1ull << 20;
inline constexpr Rights kFdFilestatGet = 1ull << 21;
inline constexpr Rights kFdFilestatSetSize = 1ull << 22;
inline constexpr Rights kFdFilestatSetTimes = 1ull << 23;
inline constexpr Rights kPathSymlink = 1ull << 24;
inline constexpr Rights kPathRemoveDirectory = 1ull << 25;
inline constexpr Rights kPathUnlinkFile = 1ull << 26;
inline constexpr Rights kPollFdReadwrite = 1ull << 27;
inline constexpr Rights kSockShutdown = 1ull << 28;
inline constexpr Rights kSockAccept = 1ull << 29;

// What a regular file, a directory and a stream can do at most.
inline constexpr Rights kFile = kFdDatasync | kFdRead | kFdSeek | kFdFdstatSetFlags | kFdSync |
                                kFdTell | kFdWrite | kFdAdvise | kFdAllocate | kFdFilestatGet |
                                kFdFilestatSetSize | kFdFilestatSetTimes | kPollFdReadwrite;
inline constexpr Rights kDirectory =
    kFdFdstatSetFlags | kFdSync | kFdAdvise | kPathCreateDirectory | kPathCreateFile |
    kPathLinkSource | kPathLinkTarget | kPathOpen | kFdReaddir | kPathReadlink | kPathRenameSource |
    kPathRenameTarget | kPathFilestatGet | kPathFilestatSetSize | kPathFilestatSetTimes |
    kFdFilestatGet | kFdFilestatSetTimes | kPathSymlink | kPathRemoveDirectory | kPathUnlinkFile;
inline constexpr Rights kStream =
    kFdRead | kFdWrite | kFdFdstatSetFlags | kFdFilestatGet | kPollFdReadwrite;
inline constexpr Rights kSocket = kStream | kSockShutdown | kSockAccept;
} // namespace right

namespace filetype {
inline constexpr uint8_t kUnknown = 0;
inline constexpr uint8_t kBlockDevice = 1;
inline constexpr uint8_t kCharacterDevice = 2;
inline constexpr uint8_t kDirectory = 3;
inline constexpr uint8_t kRegularFile = 4;
inline constexpr uint8_t kSocketDgram = 5;
inline constexpr uint8_t kSocketStream = 6;
inline constexpr uint8_t kSymbolicLink = 7;
} // namespace filetype

namespace fdflag {
inline constexpr uint16_t kAppend = 1 << 0;
inline constexpr uint16_t kDsync = 1 << 1;
inline constexpr uint16_t kNonblock = 1 << 2;
inline constexpr uint16_t kRsync = 1 << 3;
inline constexpr uint16_t kSync = 1 << 4;
} // namespace fdflag

namespace oflag {
inline constexpr uint16_t kCreat = 1 << 0;
inline constexpr uint16_t kDirectory = 1 << 1;
inline constexpr uint16_t kExcl = 1 << 2;
inline constexpr uint16_t kTrunc = 1 << 3;
} // namespace oflag

inline constexpr uint32_t kLookupSymlinkFollow = 1;

namespace fstflag {
inline constexpr uint16_t kAtim = 1 << 0;
inline constexpr uint16_t kAtimNow = 1 << 1;
inline constexpr uint16_t kMtim = 1 << 2;
inline constexpr uint16_t kMtimNow = 1 << 3;
} // namespace fstflag

namespace clockid {
inline constexpr uint32_t kRealtime = 0;
inline constexpr uint32_t kMonotonic = 1;
inline constexpr uint32_t kProcessCputime = 2;
inline constexpr uint32_t kThreadCputime = 3;
} // namespace clockid

inline constexpr uint8_t kWhenceSet = 0;
inline constexpr uint8_t kWhenceCur = 1;
inline constexpr uint8_t kWhenceEnd = 2;

inline constexpr uint8_t kEventClock = 0;
inline constexpr uint8_t kEventFdRead = 1;
inline constexpr uint8_t kEventFdWrite = 2;
inline constexpr uint16_t kSubclockAbstime = 1;
inline constexpr uint16_t kEventHangup = 1;

inline constexpr uint16_t kRecvPeek = 1 << 0;
inline constexpr uint16_t kRecvWaitall = 1 << 1;
inline constexpr uint16_t kRecvDataTruncated = 1 << 0;
inline constexpr uint8_t kShutRd = 1 << 0;
inline constexpr uint8_t kShutWr = 1 << 1;

inline constexpr uint8_t kPreopenTypeDir = 0;

// Struct sizes and field offsets.
namespace layout {
inline constexpr uint32_t kIovecSize = 8;   // buf u32 @0, buf_len u32 @4
inline constexpr uint32_t kFdstatSize = 24; // filetype u8 @0, flags u16 @2, base @8, inheriting @16
inline constexpr uint32_t kFilestatSize =
    64; // dev, ino, filetype u8 @16, nlink, size, atim, mtim, ctim
inline constexpr uint32_t kPrestatSize = 8; // tag u8 @0, name_len u32 @4
inline constexpr uint32_t kDirentSize = 24; // next u64 @0, ino u64 @8, namlen u32 @16, type u8 @20
inline constexpr uint32_t kSubscriptionSize = 48; // userdata @0, tag u8 @8, body @16
inline constexpr uint32_t kEventSize =
    32; // userdata @0, error u16 @8, type u8 @10, nbytes @16, flags u16 @24
} // namespace layout

} // namespace halter::wasi
