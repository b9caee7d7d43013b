package io.connscope.capture.filter;

import java.nio.ByteBuffer;

/**
 * A classic BPF program (the instructions libpcap compiles a tcpdump filter expression into) and
 * its interpreter, run on a frame in place: no allocation, no native call per packet.
 *
 * <p>Semantics follow libpcap's {@code bpf_filter()}: registers A and X and sixteen scratch words
 * start at zero; a load outside the captured bytes, a division or modulo by zero, or running off
 * the end rejects the packet; {@code RET} returns the snapshot length to keep, so any non-zero
 * result accepts. Shifts by 32 or more give zero. Comparisons and arithmetic are unsigned 32-bit.
 */
public final class BpfProgram {
  // instruction classes, sizes, modes, operations and sources (pcap/bpf.h)
  private static final int LD = 0x00,
      LDX = 0x01,
      ST = 0x02,
      STX = 0x03,
      ALU = 0x04,
      JMP = 0x05,
      RET = 0x06,
      MISC = 0x07;
  private static final int W = 0x00, H = 0x08, B = 0x10;
  private static final int IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, LEN = 0x80, MSH = 0xa0;
  private static final int ADD = 0x00,
      SUB = 0x10,
      MUL = 0x20,
      DIV = 0x30,
      OR = 0x40,
      AND = 0x50,
      LSH = 0x60,
      RSH = 0x70,
      NEG = 0x80,
      MOD = 0x90,
      XOR = 0xa0;
  private static final int JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40;
  private static final int SRC_X = 0x08;
  private static final int RVAL_A = 0x10;
  private static final int TXA = 0x80;
  private static final long U32 = 0xFFFF_FFFFL;

  private final short[] code;
  private final byte[] jt, jf;
  private final int[] k;

  /** Scratch memory, reused: the interpreter runs on one thread at a time. */
  private final long[] mem = new long[16];

  /**
   * A program of {@code n} instructions given as libpcap lays out {@code struct bpf_insn}: code (16
   * bits), jt, jf (8 bits each), k (32 bits), in the given arrays.
   */
  public BpfProgram(short[] code, byte[] jt, byte[] jf, int[] k) {
    if (code.length == 0
        || code.length != jt.length
        || code.length != jf.length
        || code.length != k.length) {
      throw new IllegalArgumentException("malformed BPF program");
    }
    this.code = code.clone();
    this.jt = jt.clone();
    this.jf = jf.clone();
    this.k = k.clone();
  }

  /** Instructions in the program. */
  public int length() {
    return code.length;
  }

  /**
   * Runs the program on the frame at {@code buf[off, off + caplen)}, {@code wirelen} bytes long on
   * the wire; true when it accepts the frame.
   */
  public boolean matches(ByteBuffer buf, int off, int caplen, int wirelen) {
    long a = 0, x = 0;
    java.util.Arrays.fill(mem, 0);
    int n = code.length;
    for (int pc = 0; pc < n; pc++) {
      int c = code[pc] & 0xFFFF;
      long kk = k[pc] & U32;
      switch (c & 0x07) {
        case LD -> {
          switch (c & 0xe0) {
            case IMM -> a = kk;
            case MEM -> a = mem[(int) (kk & 15)];
            case LEN -> a = wirelen & U32;
            case ABS, IND -> {
              long at = (c & 0xe0) == IND ? x + kk : kk;
              int size = (c & 0x18) == W ? 4 : (c & 0x18) == H ? 2 : 1;
              if (at > caplen - size || at < 0) {
                return false;
              }
              int p = off + (int) at;
              a =
                  size == 4
                      ? buf.getInt(p) & U32
                      : size == 2 ? buf.getShort(p) & 0xFFFF : buf.get(p) & 0xFF;
            }
            default -> {
              return false;
            }
          }
        }
        case LDX -> {
          switch (c & 0xe0) {
            case IMM -> x = kk;
            case MEM -> x = mem[(int) (kk & 15)];
            case LEN -> x = wirelen & U32;
            case MSH -> {
              if (kk >= caplen) {
                return false;
              }
              x = (buf.get(off + (int) kk) & 0xF) << 2;
            }
            default -> {
              return false;
            }
          }
        }
        case ST -> mem[(int) (kk & 15)] = a;
        case STX -> mem[(int) (kk & 15)] = x;
        case ALU -> {
          long v = (c & SRC_X) != 0 ? x : kk;
          switch (c & 0xf0) {
            case ADD -> a = (a + v) & U32;
            case SUB -> a = (a - v) & U32;
            case MUL -> a = (a * v) & U32;
            case DIV -> {
              if (v == 0) {
                return false;
              }
              a = a / v;
            }
            case MOD -> {
              if (v == 0) {
                return false;
              }
              a = a % v;
            }
            case OR -> a |= v;
            case AND -> a &= v;
            case XOR -> a ^= v;
            case LSH -> a = v < 32 ? (a << v) & U32 : 0;
            case RSH -> a = v < 32 ? a >>> v : 0;
            case NEG -> a = (-a) & U32;
            default -> {
              return false;
            }
          }
        }
        case JMP -> {
          int op = c & 0xf0;
          if (op == JA) {
            pc += (int) kk;
            continue;
          }
          long v = (c & SRC_X) != 0 ? x : kk;
          boolean t =
              switch (op) {
                case JEQ -> a == v;
                case JGT -> a > v;
                case JGE -> a >= v;
                case JSET -> (a & v) != 0;
                default -> false;
              };
          if (op != JEQ && op != JGT && op != JGE && op != JSET) {
            return false;
          }
          pc += t ? jt[pc] & 0xFF : jf[pc] & 0xFF;
        }
        case RET -> {
          int rval = c & 0x18;
          if (rval != 0 && rval != RVAL_A) {
            return false;
          }
          return (rval == RVAL_A ? a : kk) != 0;
        }
        case MISC -> {
          if ((c & 0xf8) == TXA) {
            a = x;
          } else {
            x = a;
          }
        }
        default -> {
          return false;
        }
      }
    }
    return false;
  }
}
