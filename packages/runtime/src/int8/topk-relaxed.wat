;; int8 item table × 7-bit user vector with a fused top-k (relaxed SIMD).
;; Assembled at build time by scripts/wat.mjs (wabt); see kernel.ts for the memory layout.
;;
;; topk(table, scales, user, mask, heap, n, dp, k, userScale, sums) -> count
;;   table     n rows of dp int8 (dp a multiple of 16, zero padded)
;;   scales    n float32 row scales
;;   user      dp bytes: the user vector quantised to [-63, 63], plus 64 (so in [1, 127]: the
;;             relaxed dot's 7-bit operand, the same on every implementation)
;;   sums      n int32: the sum of each table row's values (the dot's correction for the +64)
;;   mask      0, or a bitmap of ceil(n/8) bytes: bit r set = row r excluded
;;   heap      k entries of { f32 score, i32 row }: a binary heap, the worst entry at the root
;;   returns   the number of entries written (min(k, eligible rows)); order is heap order
;; score(r) = f32(dot_i32(table[r], user) - 64 * sums[r]) * scales[r] * userScale. Ties: the lower row wins.
(module
  (import "env" "memory" (memory 1))

  ;; Is entry (s1, r1) worse than (s2, r2)? Lower score, or the same score and a higher row.
  (func $worse (param $s1 f32) (param $r1 i32) (param $s2 f32) (param $r2 i32) (result i32)
    (i32.or
      (f32.lt (local.get $s1) (local.get $s2))
      (i32.and (f32.eq (local.get $s1) (local.get $s2)) (i32.gt_s (local.get $r1) (local.get $r2)))))

  ;; Puts (s, r) at slot p of a heap of `count` entries, sifting it down.
  (func $siftDown (param $heap i32) (param $count i32) (param $p i32) (param $s f32) (param $r i32)
    (local $c i32) (local $l i32) (local $ca i32) (local $la i32)
    (block $done
      (loop $down
        (local.set $l (i32.add (i32.shl (local.get $p) (i32.const 1)) (i32.const 1)))
        (br_if $done (i32.ge_s (local.get $l) (local.get $count)))
        (local.set $c (local.get $l))
        (if (i32.lt_s (i32.add (local.get $l) (i32.const 1)) (local.get $count))
          (then
            (local.set $la (i32.add (local.get $heap) (i32.shl (local.get $l) (i32.const 3))))
            (if (call $worse
                  (f32.load offset=8 (local.get $la)) (i32.load offset=12 (local.get $la))
                  (f32.load (local.get $la)) (i32.load offset=4 (local.get $la)))
              (then (local.set $c (i32.add (local.get $l) (i32.const 1)))))))
        (local.set $ca (i32.add (local.get $heap) (i32.shl (local.get $c) (i32.const 3))))
        (br_if $done (i32.eqz (call $worse
          (f32.load (local.get $ca)) (i32.load offset=4 (local.get $ca)) (local.get $s) (local.get $r))))
        (i64.store (i32.add (local.get $heap) (i32.shl (local.get $p) (i32.const 3))) (i64.load (local.get $ca)))
        (local.set $p (local.get $c))
        (br $down)))
    (local.set $ca (i32.add (local.get $heap) (i32.shl (local.get $p) (i32.const 3))))
    (f32.store (local.get $ca) (local.get $s))
    (i32.store offset=4 (local.get $ca) (local.get $r)))

  ;; Appends (s, r) to a heap of `count` entries, sifting it up.
  (func $siftUp (param $heap i32) (param $p i32) (param $s f32) (param $r i32)
    (local $q i32) (local $qa i32)
    (block $done
      (loop $up
        (br_if $done (i32.eqz (local.get $p)))
        (local.set $q (i32.shr_u (i32.sub (local.get $p) (i32.const 1)) (i32.const 1)))
        (local.set $qa (i32.add (local.get $heap) (i32.shl (local.get $q) (i32.const 3))))
        (br_if $done (i32.eqz (call $worse
          (local.get $s) (local.get $r) (f32.load (local.get $qa)) (i32.load offset=4 (local.get $qa)))))
        (i64.store (i32.add (local.get $heap) (i32.shl (local.get $p) (i32.const 3))) (i64.load (local.get $qa)))
        (local.set $p (local.get $q))
        (br $up)))
    (local.set $qa (i32.add (local.get $heap) (i32.shl (local.get $p) (i32.const 3))))
    (f32.store (local.get $qa) (local.get $s))
    (i32.store offset=4 (local.get $qa) (local.get $r)))

  (func (export "topk")
    (param $table i32) (param $scales i32) (param $user i32) (param $mask i32) (param $heap i32)
    (param $n i32) (param $dp i32) (param $k i32) (param $us f32) (param $sums i32) (result i32)
    (local $r i32) (local $row i32) (local $j i32) (local $acc v128)
    (local $dot i32) (local $s f32) (local $count i32) (local $thr f32)
    (if (i32.le_s (local.get $k) (i32.const 0)) (then (return (i32.const 0))))
    (local.set $row (local.get $table))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $n)))
        (block $next
          (if (local.get $mask)
            (then
              (br_if $next (i32.and
                (i32.load8_u (i32.add (local.get $mask) (i32.shr_u (local.get $r) (i32.const 3))))
                (i32.shl (i32.const 1) (i32.and (local.get $r) (i32.const 7)))))))
          (local.set $acc (v128.const i32x4 0 0 0 0))
          (local.set $j (i32.const 0))
          (loop $dims
            (local.set $acc (i32x4.relaxed_dot_i8x16_i7x16_add_s
              (v128.load (i32.add (local.get $row) (local.get $j)))
              (v128.load (i32.add (local.get $user) (local.get $j)))
              (local.get $acc)))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br_if $dims (i32.lt_u (local.get $j) (local.get $dp))))
          (local.set $dot (i32.sub
            (i32.add
              (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
              (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc))))
            (i32.shl (i32.load (i32.add (local.get $sums) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 6))))
          (local.set $s (f32.mul
            (f32.mul (f32.convert_i32_s (local.get $dot)) (f32.load (i32.add (local.get $scales) (i32.shl (local.get $r) (i32.const 2)))))
            (local.get $us)))
          (if (i32.lt_s (local.get $count) (local.get $k))
            (then
              (call $siftUp (local.get $heap) (local.get $count) (local.get $s) (local.get $r))
              (local.set $count (i32.add (local.get $count) (i32.const 1)))
              (if (i32.eq (local.get $count) (local.get $k)) (then (local.set $thr (f32.load (local.get $heap))))))
            (else
              ;; Full: only a strictly better score enters (an equal one has a higher row: worse).
              (if (f32.gt (local.get $s) (local.get $thr))
                (then
                  (call $siftDown (local.get $heap) (local.get $count) (i32.const 0) (local.get $s) (local.get $r))
                  (local.set $thr (f32.load (local.get $heap))))))))
        (local.set $row (i32.add (local.get $row) (local.get $dp)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))
    (local.get $count))
)
