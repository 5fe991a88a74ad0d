#include "binary/decoder.h"

#include "binary/instr_reader.h"
#include "binary/name_section.h"
#include "binary/section_id.h"
#include "binary/type_bytes.h"
#include "binary/utf8.h"
#include "common/byte_reader.h"
#include "common/parallel_check.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace halter::binary {
namespace {

// More declared locals than any real function needs; also keeps the
// interpreter's frames bounded. Spec tests expect huge counts to be rejected.
constexpr uint64_t kMaxLocals = 50000;

Error malformed(uint64_t at, std::string message) {
  return makeError(ErrorCode::Malformed, at, std::move(message));
}

class Decoder {
public:
  Decoder(std::span<const uint8_t> input, unsigned threads) : threads_(threads) {
    module_.bytes.assign(input.begin(), input.end());
  }

  Result<ir::Module> run() {
    HALTER_TRY(decode());
    return std::move(module_);
  }

private:
  std::span<const uint8_t> bytes() const { return module_.bytes; }

  Result<void> decode() {
    ByteReader r(bytes());
    if (r.remaining() < 4) return makeError(ErrorCode::UnexpectedEnd, 0, "unexpected end");
    HALTER_ASSIGN_OR_RETURN(uint64_t magic, r.readFixed(4));
    if (magic != 0x6D736100) return makeError(ErrorCode::BadMagic, 0, "magic header not detected");
    if (r.remaining() < 4) return makeError(ErrorCode::UnexpectedEnd, 4, "unexpected end");
    HALTER_ASSIGN_OR_RETURN(uint64_t version, r.readFixed(4));
    if (version != 1) return makeError(ErrorCode::BadVersion, 4, "unknown binary version");

    int last_rank = 0;
    while (!r.atEnd()) {
      const uint64_t section_at = r.pos();
      HALTER_ASSIGN_OR_RETURN(uint8_t id, r.readByte());
      if (id > kDataCount) {
        return makeError(ErrorCode::MalformedSection, section_at, "malformed section id");
      }
      const uint64_t size_at = r.pos();
      HALTER_ASSIGN_OR_RETURN(uint32_t size, r.readU32());
      if (size > r.remaining()) {
        return makeError(ErrorCode::UnexpectedEnd, size_at,
                         "unexpected end: section size out of bounds");
      }
      if (id != kCustom) {
        const int rank = sectionRank(id);
        if (rank <= last_rank) {
          return makeError(ErrorCode::MalformedSection, section_at,
                           "unexpected content after last section");
        }
        last_rank = rank;
      }
      ByteReader section(bytes(), r.pos(), r.pos() + size);
      module_.sections.push_back(ir::SectionRange{id, section.pos(), section.end()});
      HALTER_TRY(decodeSection(id, section));
      if (!section.atEnd()) {
        return makeError(ErrorCode::MalformedSection, section.pos(), "section size mismatch");
      }
      r.seek(section.end());
    }

    if (module_.functions.size() != module_.codes.size()) {
      return makeError(ErrorCode::Malformed, bytes().size(),
                       "function and code section have inconsistent lengths");
    }
    // Without a data section no data index can be valid, so the validator
    // rejects such a body anyway ("unknown data segment", as wast2json-made
    // spec modules expect); with one, the missing count is a format error.
    if (first_data_use_ && has_data_section_) {
      return malformed(*first_data_use_, "data count section required");
    }
    if (module_.data_count && *module_.data_count != module_.datas.size()) {
      return makeError(ErrorCode::Malformed, bytes().size(),
                       "data count and data section have inconsistent lengths");
    }
    return okResult();
  }

  Result<void> decodeSection(uint8_t id, ByteReader &r) {
    switch (id) {
    case kCustom:
      return decodeCustom(r);
    case kType:
      return decodeTypes(r);
    case kImport:
      return decodeImports(r);
    case kFunction:
      return decodeFunctions(r);
    case kTable:
      return decodeTables(r);
    case kMemory:
      return decodeMemories(r);
    case kGlobal:
      return decodeGlobals(r);
    case kExport:
      return decodeExports(r);
    case kStart: {
      HALTER_ASSIGN_OR_RETURN(uint32_t index, r.readU32());
      module_.start = index;
      return okResult();
    }
    case kElement:
      return decodeElems(r);
    case kCode:
      return decodeCodes(r);
    case kData:
      return decodeDatas(r);
    case kDataCount: {
      HALTER_ASSIGN_OR_RETURN(uint32_t count, r.readU32());
      module_.data_count = count;
      return okResult();
    }
    }
    return makeError(ErrorCode::MalformedSection, r.pos(), "malformed section id");
  }

  // A vector length, checked against the bytes left (every item needs at
  // least one), so hostile counts cannot drive allocation. Callers reserve
  // by a tighter per-item minimum where items are large.
  static Result<uint32_t> readCount(ByteReader &r) {
    const uint64_t at = r.pos();
    HALTER_ASSIGN_OR_RETURN(uint32_t count, r.readU32());
    if (count > r.remaining()) {
      return makeError(ErrorCode::UnexpectedEnd, at,
                       "unexpected end: vector length " + std::to_string(count) +
                           " exceeds the remaining bytes");
    }
    return count;
  }

  static Result<std::string> readName(ByteReader &r) {
    const uint64_t at = r.pos();
    HALTER_ASSIGN_OR_RETURN(uint32_t len, r.readU32());
    if (len > r.remaining()) {
      return makeError(ErrorCode::UnexpectedEnd, at, "unexpected end: name length out of bounds");
    }
    HALTER_ASSIGN_OR_RETURN(std::span<const uint8_t> text, r.readBytes(len));
    if (!isValidUtf8(text)) {
      return makeError(ErrorCode::MalformedUtf8, at, "malformed UTF-8 encoding");
    }
    return std::string(text.begin(), text.end());
  }

  static Result<ValType> readValType(ByteReader &r) {
    const uint64_t at = r.pos();
    HALTER_ASSIGN_OR_RETURN(uint8_t b, r.readByte());
    ValType t;
    if (!valTypeFromByte(b, &t)) return malformed(at, "malformed value type");
    return t;
  }

  static Result<ValType> readRefType(ByteReader &r) {
    const uint64_t at = r.pos();
    HALTER_ASSIGN_OR_RETURN(uint8_t b, r.readByte());
    ValType t;
    if (!refTypeFromByte(b, &t)) return malformed(at, "malformed reference type");
    return t;
  }

  static Result<SizeLimits> readLimits(ByteReader &r) {
    // The flags are a 1-bit LEB128 (0: min only, 1: min and max), so 0x02 is
    // "integer too large" and 0x81 0x00 "integer representation too long".
    HALTER_ASSIGN_OR_RETURN(uint64_t flags, r.readLeb(1, false));
    SizeLimits limits;
    HALTER_ASSIGN_OR_RETURN(uint32_t min, r.readU32());
    limits.min = min;
    if (flags == 1) {
      HALTER_ASSIGN_OR_RETURN(uint32_t max, r.readU32());
      limits.max = max;
    }
    return limits;
  }

  static Result<TableType> readTableType(ByteReader &r) {
    TableType t;
    HALTER_ASSIGN_OR_RETURN(t.elem, readRefType(r));
    HALTER_ASSIGN_OR_RETURN(t.limits, readLimits(r));
    return t;
  }

  static Result<MemoryType> readMemoryType(ByteReader &r) {
    MemoryType t;
    HALTER_ASSIGN_OR_RETURN(t.limits, readLimits(r));
    return t;
  }

  static Result<GlobalType> readGlobalType(ByteReader &r) {
    GlobalType t;
    HALTER_ASSIGN_OR_RETURN(t.type, readValType(r));
    const uint64_t at = r.pos();
    HALTER_ASSIGN_OR_RETURN(uint8_t mut, r.readByte());
    if (mut > 1) return malformed(at, "malformed mutability");
    t.is_mutable = mut == 1;
    return t;
  }

  // Instructions up to the matching `end`. Any instruction decodes here;
  // the validator decides which ones are constant.
  Result<ir::ConstExpr> readConstExpr(ByteReader &r) {
    ir::ConstExpr expr;
    expr.offset = r.pos();
    InstrReader reader(bytes(), r.pos(), r.end());
    uint32_t depth = 0;
    for (;;) {
      if (reader.atEnd()) {
        return makeError(ErrorCode::UnexpectedEnd, reader.position(),
                         "unexpected end of constant expression");
      }
      HALTER_TRY(reader.next(instr_));
      if (instr_.op == Op::End) {
        if (depth == 0) break;
        --depth;
      } else if (instr_.op == Op::Block || instr_.op == Op::Loop || instr_.op == Op::If) {
        ++depth;
      }
      ir::ConstInstr ci;
      ci.op = instr_.op;
      ci.offset = instr_.offset;
      switch (opInfo(instr_.op).imm) {
      case ImmKind::I32:
      case ImmKind::I64:
      case ImmKind::F32:
      case ImmKind::F64:
        ci.value = instr_.bits;
        break;
      case ImmKind::RefType:
        ci.ref_type = instr_.type;
        break;
      default:
        ci.value = instr_.index;
        break;
      }
      expr.instrs.push_back(ci);
    }
    r.seek(reader.position());
    return expr;
  }

  Result<void> decodeCustom(ByteReader &r) {
    ir::CustomSection custom;
    HALTER_ASSIGN_OR_RETURN(custom.name, readName(r));
    custom.begin = r.pos();
    custom.end = r.end();
    r.seek(r.end());
    if (custom.name == "name" && module_.names.module.empty() && module_.names.functions.empty()) {
      module_.names = parseNameSection(bytes(), custom.begin, custom.end);
    }
    module_.customs.push_back(std::move(custom));
    return okResult();
  }

  Result<void> decodeTypes(ByteReader &r) {
    HALTER_ASSIGN_OR_RETURN(uint32_t count, readCount(r));
    module_.types.reserve(std::min<uint64_t>(count, r.remaining() / 3));
    for (uint32_t i = 0; i < count; ++i) {
      const uint64_t at = r.pos();
      HALTER_ASSIGN_OR_RETURN(uint8_t form, r.readByte());
      if (form != 0x60) return malformed(at, "malformed function type (expected 0x60)");
      FuncType type;
      HALTER_ASSIGN_OR_RETURN(uint32_t num_params, readCount(r));
      type.params.reserve(num_params);
      for (uint32_t k = 0; k < num_params; ++k) {
        HALTER_ASSIGN_OR_RETURN(ValType t, readValType(r));
        type.params.push_back(t);
      }
      HALTER_ASSIGN_OR_RETURN(uint32_t num_results, readCount(r));
      type.results.reserve(num_results);
      for (uint32_t k = 0; k < num_results; ++k) {
        HALTER_ASSIGN_OR_RETURN(ValType t, readValType(r));
        type.results.push_back(t);
      }
      module_.types.push_back(std::move(type));
    }
    return okResult();
  }

  Result<void> decodeImports(ByteReader &r) {
    HALTER_ASSIGN_OR_RETURN(uint32_t count, readCount(r));
    module_.imports.reserve(std::min<uint64_t>(count, r.remaining() / 4));
    for (uint32_t i = 0; i < count; ++i) {
      ir::Import imp;
      imp.offset = r.pos();
      HALTER_ASSIGN_OR_RETURN(imp.module, readName(r));
      HALTER_ASSIGN_OR_RETURN(imp.name, readName(r));
      const uint64_t kind_at = r.pos();
      HALTER_ASSIGN_OR_RETURN(uint8_t kind, r.readByte());
      switch (kind) {
      case 0: {
        imp.kind = ExternKind::Func;
        HALTER_ASSIGN_OR_RETURN(imp.func_type, r.readU32());
        module_.imported_funcs.push_back(imp.func_type);
        break;
      }
      case 1: {
        imp.kind = ExternKind::Table;
        HALTER_ASSIGN_OR_RETURN(imp.table, readTableType(r));
        module_.imported_tables.push_back(imp.table);
        break;
      }
      case 2: {
        imp.kind = ExternKind::Memory;
        HALTER_ASSIGN_OR_RETURN(imp.memory, readMemoryType(r));
        module_.imported_memories.push_back(imp.memory);
        break;
      }
      case 3: {
        imp.kind = ExternKind::Global;
        HALTER_ASSIGN_OR_RETURN(imp.global, readGlobalType(r));
        module_.imported_globals.push_back(imp.global);
        break;
      }
      default:
        return malformed(kind_at, "malformed import kind");
      }
      module_.imports.push_back(std::move(imp));
    }
    return okResult();
  }

  Result<void> decodeFunctions(ByteReader &r) {
    HALTER_ASSIGN_OR_RETURN(uint32_t count, readCount(r));
    module_.functions.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
      HALTER_ASSIGN_OR_RETURN(uint32_t type, r.readU32());
      module_.functions.push_back(type);
    }
    return okResult();
  }

  Result<void> decodeTables(ByteReader &r) {
    HALTER_ASSIGN_OR_RETURN(uint32_t count, readCount(r));
    module_.tables.reserve(std::min<uint64_t>(count, r.remaining() / 3));
    for (uint32_t i = 0; i < count; ++i) {
      HALTER_ASSIGN_OR_RETURN(TableType t, readTableType(r));
      module_.tables.push_back(t);
    }
    return okResult();
  }

  Result<void> decodeMemories(ByteReader &r) {
    HALTER_ASSIGN_OR_RETURN(uint32_t count, readCount(r));
    module_.memories.reserve(std::min<uint64_t>(count, r.remaining() / 2));
    for (uint32_t i = 0; i < count; ++i) {
      HALTER_ASSIGN_OR_RETURN(MemoryType t, readMemoryType(r));
      module_.memories.push_back(t);
    }
    return okResult();
  }

  Result<void> decodeGlobals(ByteReader &r) {
    HALTER_ASSIGN_OR_RETURN(uint32_t count, readCount(r));
    module_.globals.reserve(std::min<uint64_t>(count, r.remaining() / 3));
    for (uint32_t i = 0; i < count; ++i) {
      ir::Global g;
      HALTER_ASSIGN_OR_RETURN(g.type, readGlobalType(r));
      HALTER_ASSIGN_OR_RETURN(g.init, readConstExpr(r));
      module_.globals.push_back(std::move(g));
    }
    return okResult();
  }

  Result<void> decodeExports(ByteReader &r) {
    HALTER_ASSIGN_OR_RETURN(uint32_t count, readCount(r));
    module_.exports.reserve(std::min<uint64_t>(count, r.remaining() / 3));
    for (uint32_t i = 0; i < count; ++i) {
      ir::Export e;
      e.offset = r.pos();
      HALTER_ASSIGN_OR_RETURN(e.name, readName(r));
      const uint64_t kind_at = r.pos();
      HALTER_ASSIGN_OR_RETURN(uint8_t kind, r.readByte());
      if (kind > 3) return malformed(kind_at, "malformed export kind");
      e.kind = static_cast<ExternKind>(kind);
      HALTER_ASSIGN_OR_RETURN(e.index, r.readU32());
      module_.exports.push_back(std::move(e));
    }
    return okResult();
  }

  Result<void> readElemKind(ByteReader &r) {
    const uint64_t at = r.pos();
    HALTER_ASSIGN_OR_RETURN(uint8_t kind, r.readByte());
    if (kind != 0x00) return malformed(at, "malformed element kind");
    return okResult();
  }

  Result<void> decodeElems(ByteReader &r) {
    HALTER_ASSIGN_OR_RETURN(uint32_t count, readCount(r));
    module_.elems.reserve(std::min<uint64_t>(count, r.remaining() / 2));
    for (uint32_t i = 0; i < count; ++i) {
      ir::ElemSegment seg;
      seg.offset = r.pos();
      HALTER_ASSIGN_OR_RETURN(uint32_t flags, r.readU32());
      if (flags > 7) return malformed(seg.offset, "malformed elements segment kind");
      const bool passive_or_declarative = flags & 1;
      const bool explicit_table = flags & 2;
      const bool uses_exprs = flags & 4;
      if (passive_or_declarative) {
        seg.mode = explicit_table ? ir::SegmentMode::Declarative : ir::SegmentMode::Passive;
      } else {
        seg.mode = ir::SegmentMode::Active;
        if (explicit_table) {
          HALTER_ASSIGN_OR_RETURN(seg.table, r.readU32());
        }
        HALTER_ASSIGN_OR_RETURN(seg.offset_expr, readConstExpr(r));
      }
      // Forms 0 and 4 imply funcref; the others name the kind or type.
      if (passive_or_declarative || explicit_table) {
        if (uses_exprs) {
          HALTER_ASSIGN_OR_RETURN(seg.elem_type, readRefType(r));
        } else {
          HALTER_TRY(readElemKind(r));
        }
      }
      HALTER_ASSIGN_OR_RETURN(uint32_t num_items, readCount(r));
      seg.items.reserve(num_items);
      for (uint32_t k = 0; k < num_items; ++k) {
        if (uses_exprs) {
          HALTER_ASSIGN_OR_RETURN(ir::ConstExpr e, readConstExpr(r));
          seg.items.push_back(std::move(e));
        } else {
          ir::ConstExpr e;
          e.offset = r.pos();
          ir::ConstInstr ci;
          ci.op = Op::RefFunc;
          ci.offset = r.pos();
          HALTER_ASSIGN_OR_RETURN(uint32_t func, r.readU32());
          ci.value = func;
          e.instrs.push_back(ci);
          seg.items.push_back(std::move(e));
        }
      }
      module_.elems.push_back(std::move(seg));
    }
    return okResult();
  }

  // Headers (size and locals) in order, then the instructions of every body,
  // on several threads for a large module. The first bad header ends the
  // list, but the bodies before it are walked first: in byte order their
  // errors come first.
  Result<void> decodeCodes(ByteReader &r) {
    const uint64_t count_at = r.pos();
    HALTER_ASSIGN_OR_RETURN(uint32_t count, readCount(r));
    if (count != module_.functions.size()) {
      return malformed(count_at, "function and code section have inconsistent lengths");
    }
    module_.codes.reserve(std::min<uint64_t>(count, r.remaining() / 2));
    std::optional<Error> header_error;
    for (uint32_t i = 0; i < count; ++i) {
      ir::FunctionBody body;
      body.offset = r.pos();
      Result<void> header = decodeHeader(r, body);
      if (!header.ok()) {
        header_error = std::move(header).error();
        break;
      }
      module_.codes.push_back(std::move(body));
    }
    const uint32_t bodies = uint32_t(module_.codes.size());
    std::vector<uint64_t> data_use(bodies, kNoOffset);
    const unsigned threads = checkThreads(r.pos() - count_at, bodies, threads_);
    HALTER_TRY(checkInOrder(bodies, threads, [&] {
      return [this, &data_use, instr = Instr()](uint32_t i) mutable {
        return walkBody(module_.codes[i], instr, data_use[i]);
      };
    }));
    if (header_error) return std::move(*header_error);
    for (uint64_t use : data_use) {
      if (use != kNoOffset && !first_data_use_) first_data_use_ = use;
    }
    return okResult();
  }

  Result<void> decodeHeader(ByteReader &r, ir::FunctionBody &body) {
    HALTER_ASSIGN_OR_RETURN(uint32_t size, r.readU32());
    HALTER_ASSIGN_OR_RETURN(ByteReader br, r.sub(size));
    HALTER_ASSIGN_OR_RETURN(uint32_t groups, readCount(br));
    body.locals.reserve(std::min<uint64_t>(groups, br.remaining() / 2));
    for (uint32_t g = 0; g < groups; ++g) {
      const uint64_t at = br.pos();
      ir::LocalGroup group;
      HALTER_ASSIGN_OR_RETURN(group.count, br.readU32());
      HALTER_ASSIGN_OR_RETURN(group.type, readValType(br));
      body.total_locals += group.count;
      if (body.total_locals > kMaxLocals) {
        return makeError(ErrorCode::ImplementationLimit, at, "too many locals");
      }
      body.locals.push_back(group);
    }
    body.code_begin = br.pos();
    body.code_end = br.end();
    r.seek(br.end());
    return okResult();
  }

  // Walks the code once so malformed instructions are decode errors, and so
  // the body's final `end` is exactly its last byte. Reads only the module's
  // bytes and data count: bodies walk on several threads at once.
  Result<void> walkBody(const ir::FunctionBody &body, Instr &instr, uint64_t &data_use) const {
    InstrReader reader(bytes(), body.code_begin, body.code_end);
    uint64_t depth = 0;
    for (;;) {
      if (reader.atEnd()) return malformed(reader.position(), "END opcode expected");
      HALTER_TRY(reader.next(instr));
      switch (instr.op) {
      case Op::Block:
      case Op::Loop:
      case Op::If:
        ++depth;
        break;
      case Op::End:
        if (depth == 0) {
          if (!reader.atEnd()) {
            return makeError(ErrorCode::MalformedSection, reader.position(),
                             "section size mismatch: bytes after the function's final end");
          }
          return okResult();
        }
        --depth;
        break;
      case Op::DataDrop:
      case Op::MemoryInit:
        if (!module_.data_count && data_use == kNoOffset) data_use = instr.offset;
        break;
      default:
        break;
      }
    }
  }

  Result<void> decodeDatas(ByteReader &r) {
    has_data_section_ = true;
    HALTER_ASSIGN_OR_RETURN(uint32_t count, readCount(r));
    module_.datas.reserve(std::min<uint64_t>(count, r.remaining() / 2));
    for (uint32_t i = 0; i < count; ++i) {
      ir::DataSegment seg;
      seg.offset = r.pos();
      HALTER_ASSIGN_OR_RETURN(uint32_t flags, r.readU32());
      switch (flags) {
      case 0: {
        seg.mode = ir::SegmentMode::Active;
        HALTER_ASSIGN_OR_RETURN(seg.offset_expr, readConstExpr(r));
        break;
      }
      case 1:
        seg.mode = ir::SegmentMode::Passive;
        break;
      case 2: {
        seg.mode = ir::SegmentMode::Active;
        HALTER_ASSIGN_OR_RETURN(seg.memory, r.readU32());
        HALTER_ASSIGN_OR_RETURN(seg.offset_expr, readConstExpr(r));
        break;
      }
      default:
        return malformed(seg.offset, "malformed data segment kind");
      }
      const uint64_t len_at = r.pos();
      HALTER_ASSIGN_OR_RETURN(uint32_t len, r.readU32());
      if (len > r.remaining()) {
        return makeError(ErrorCode::UnexpectedEnd, len_at,
                         "unexpected end: data segment length out of bounds");
      }
      seg.data_begin = r.pos();
      seg.data_size = len;
      HALTER_TRY(r.skip(len));
      module_.datas.push_back(std::move(seg));
    }
    return okResult();
  }

  ir::Module module_;
  std::optional<uint64_t> first_data_use_; // data.drop/memory.init seen without datacount
  bool has_data_section_ = false;
  Instr instr_;      // constant expressions; reused so label storage is reused
  unsigned threads_; // for the function bodies; 0: the machine's cores
};

} // namespace

Result<ir::Module> decodeModule(std::span<const uint8_t> bytes, unsigned threads) {
  return Decoder(bytes, threads).run();
}

} // namespace halter::binary
