/**
 * Layer-neutral types every layer may use: the named anomaly counters ({@link
 * io.connscope.common.Warnings}) each layer adds to, 128-bit address helpers ({@link
 * io.connscope.common.Addresses}), the direction indexes ({@link io.connscope.common.Direction}),
 * the kept HTTP header names ({@link io.connscope.common.KeptHeaders}), a window of recently closed
 * 4-tuples held in primitive arrays ({@link io.connscope.common.TupleWindow}) and one total shared
 * fairly by many holders ({@link io.connscope.common.FairShares}: the transactions open connections
 * keep for their close, in the HTTP trackers and in the result builder). Depends on nothing else in
 * connscope, so no layer points upward to reach them.
 */
package io.connscope.common;
