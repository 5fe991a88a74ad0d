# Writes the WAT of the straight-line runaway guest to OUT_FILE: a loop
# around one long straight line of 20,000 instructions, so that most
# instructions are far from the loop's check point. Generated because it is
# too long to keep as text. Used by tests/guests and bench/.
function(halter_write_straight_line_wat out_file)
  set(body "")
  foreach(i RANGE 1 5000)
    string(APPEND body " (local.set 0 (i32.add (local.get 0) (i32.const 1)))")
  endforeach()
  file(WRITE ${out_file}
    "(module\n"
    "  (func (export \"ok\") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))\n"
    "  (func (export \"straight_line\") (local i32)\n"
    "    (loop $l${body}\n"
    "      (br $l))))\n")
endfunction()
