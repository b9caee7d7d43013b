/**
 * Layer-neutral types every layer may use: the named anomaly counters ({@link
 * io.connscope.common.Warnings}) each layer adds to, 128-bit address helpers ({@link
 * io.connscope.common.Addresses}) and the direction indexes ({@link
 * io.connscope.common.Direction}). Depends on nothing else in connscope, so no layer points upward
 * to reach them.
 */
package io.connscope.common;
