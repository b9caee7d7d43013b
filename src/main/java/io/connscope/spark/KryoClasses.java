package io.connscope.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.FieldSerializer;
import io.connscope.analysis.ConnectionRecord;
import io.connscope.analysis.Held;
import io.connscope.analysis.StageEvent;
import io.connscope.common.Warnings;
import io.connscope.http.ClosedHttp;
import io.connscope.http.Framing;
import io.connscope.http.Headers;
import io.connscope.http.HttpTracker;
import io.connscope.http.Transaction;
import io.connscope.result.CaptureSummary;
import io.connscope.result.Confidence;
import io.connscope.result.ConnectionResult;
import io.connscope.result.Endpoint;
import io.connscope.result.Finding;
import io.connscope.result.HeaderMap;
import io.connscope.result.LadderEntry;
import io.connscope.result.LatencyHistogram;
import io.connscope.result.PairSummary;
import io.connscope.result.PatternSummary;
import io.connscope.result.Percentiles;
import io.connscope.result.Severity;
import io.connscope.result.TlsFacts;
import io.connscope.result.TransactionResult;
import io.connscope.spark.Parts.EventKey;
import io.connscope.spark.Parts.Frame;
import io.connscope.spark.Parts.FrameKey;
import io.connscope.spark.Parts.HostPair;
import io.connscope.spark.Parts.Out;
import io.connscope.spark.Parts.SplitSummary;
import io.connscope.spark.Parts.Stage1Out;
import io.connscope.spark.Parts.StageOut;
import io.connscope.spark.Parts.WarningCount;
import io.connscope.tcp.ClosedConnection;
import io.connscope.tcp.Connection;
import io.connscope.tcp.SegmentTimeline;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * The job's Kryo registrations ({@code spark.kryo.registrator}): every frame crosses Kryo twice
 * (stage 1's disk cache, then the shuffle), and Kryo writes an unregistered class by its name,
 * again for every record (it forgets the names between records), and reads it back with a lookup by
 * name: a quarter of a task's time went there. Registered, a class is a number; the frame's classes
 * also get serializers that write their fields as they are, without reflection.
 */
public final class KryoClasses implements KryoRegistrator {
  /** The Spark settings the job runs with: Kryo, with these registrations. */
  public static final java.util.Map<String, String> SPARK_CONF =
      java.util.Map.of(
          "spark.serializer",
          "org.apache.spark.serializer.KryoSerializer",
          "spark.kryo.registrator",
          KryoClasses.class.getName());

  @Override
  public void registerClasses(Kryo kryo) {
    kryo.register(HostPair.class, new HostPairSerializer());
    kryo.register(Frame.class, new FrameSerializer());
    kryo.register(FrameKey.class, new FrameKeySerializer());
    kryo.register(Stage1Out.class, new Stage1OutSerializer());
    kryo.register(SplitSummary.class);
    kryo.register(WarningCount.class);
    kryo.register(Out.class);
    kryo.register(TreeSet.class);
    kryo.register(ArrayList.class);
    registerCrossing(kryo);
  }

  /**
   * What crosses from the stage per connection to the stage across connections (a stage in another
   * process receives it): a finished connection's copies ({@link ClosedConnection} with its {@link
   * SegmentTimeline}, {@link ClosedHttp}, {@link TlsFacts}), the findings held for it ({@link
   * Held}) and its result record ({@link ConnectionResult}); final transactions ({@link
   * Transaction} with its {@link Headers}); and every type they reach. Records go through {@link
   * RecordSerializer} (Kryo's field serializer cannot rebuild them), the JDK's read-only
   * collections through {@link JdkCollections}; the timeline is written entry by entry (it may hold
   * pooled arrays longer than its entries); the plain classes of the pipeline whose fields are
   * theirs alone ({@link Transaction}, {@link Headers}, {@link Held}) by Kryo's field serializer.
   * The order is fixed: registration ids must agree between JVMs.
   */
  static void registerCrossing(Kryo kryo) {
    JdkCollections.register(kryo);
    kryo.register(TreeMap.class);
    kryo.register(LinkedHashMap.class);
    kryo.register(HashMap.class);
    kryo.register(ArrayDeque.class);
    kryo.register(LinkedList.class);
    kryo.register(Object[].class);
    kryo.register(int[].class);
    kryo.register(long[].class);
    kryo.register(byte[].class);
    kryo.register(String[].class);
    kryo.register(Connection.CloseReason.class);
    kryo.register(Framing.class);
    kryo.register(Severity.class);
    kryo.register(Confidence.class);
    records(
        kryo,
        ClosedConnection.Half.class,
        ClosedHttp.class,
        TlsFacts.class,
        LadderEntry.class,
        Finding.class,
        Endpoint.class,
        ConnectionResult.class,
        TransactionResult.class,
        Percentiles.class,
        LatencyHistogram.class,
        PatternSummary.class,
        PairSummary.class,
        CaptureSummary.class);
    kryo.register(Finding[].class);
    kryo.register(HeaderMap.class, new HeaderMapSerializer());
    kryo.register(SegmentTimeline.class, new TimelineSerializer());
    kryo.register(ClosedConnection.class, new ClosedConnectionSerializer(kryo));
    kryo.register(Headers.class, new FieldSerializer<>(kryo, Headers.class));
    kryo.register(Transaction.class, new FieldSerializer<>(kryo, Transaction.class));
    kryo.register(Held.class, new FieldSerializer<>(kryo, Held.class));
    // the events of stage 2 as stage 3 receives them (the record's live parts are null there)
    // a record's live connection and tracker stay in the stage that read the packets: written as
    // null; never as themselves
    kryo.register(Connection.class, new Refused<>());
    kryo.register(HttpTracker.class, new Refused<>());
    records(kryo, ConnectionRecord.class, StageEvent.class);
    kryo.register(Warnings.class);
    kryo.register(Warnings.Entry.class);
    kryo.register(EventKey.class);
    kryo.register(StageOut.class);
  }

  /**
   * Registers each record given and the records and enums nested in it (at any depth, by name: a
   * fixed order) with {@link RecordSerializer}, enums with Kryo's own.
   */
  private static void records(Kryo kryo, Class<?>... tops) {
    for (Class<?> top : tops) {
      List<Class<?>> all = new ArrayList<>();
      nested(top, all);
      for (Class<?> c : all) {
        if (c.isRecord()) {
          register(kryo, c.asSubclass(Record.class));
        } else if (c.isEnum()) {
          kryo.register(c);
        }
      }
    }
  }

  private static void nested(Class<?> c, List<Class<?>> into) {
    into.add(c);
    Class<?>[] inner = c.getDeclaredClasses();
    Arrays.sort(inner, Comparator.comparing(Class::getName));
    for (Class<?> i : inner) {
      nested(i, into);
    }
  }

  private static <T extends Record> void register(Kryo kryo, Class<T> type) {
    kryo.register(type, new RecordSerializer<>(type));
  }

  /** A result's header map: its pairs. */
  static final class HeaderMapSerializer extends Serializer<HeaderMap> {
    HeaderMapSerializer() {
      setImmutable(true);
    }

    @Override
    public void write(Kryo kryo, Output out, HeaderMap m) {
      int n = m.size();
      out.writeVarInt(n, true);
      for (int i = 0; i < n; i++) {
        out.writeString(m.name(i));
        out.writeString(m.value(i));
      }
    }

    @Override
    public HeaderMap read(Kryo kryo, Input in, Class<HeaderMap> type) {
      int n = in.readVarInt(true);
      String[] pairs = new String[2 * n];
      for (int i = 0; i < 2 * n; i++) {
        pairs[i] = in.readString();
      }
      return HeaderMap.own(pairs, n);
    }
  }

  /**
   * A finished connection's copy, field by field, its id read first: the copy holds the live
   * connection until then (a sharded analysis learns the id late), which is never written.
   */
  static final class ClosedConnectionSerializer extends FieldSerializer<ClosedConnection> {
    ClosedConnectionSerializer(Kryo kryo) {
      super(kryo, ClosedConnection.class);
    }

    @Override
    public void write(Kryo kryo, Output out, ClosedConnection c) {
      c.id();
      super.write(kryo, out, c);
    }
  }

  /**
   * A timeline, its entries only (a live one may hold pooled arrays longer than them), read into
   * arrays of its size that the copy owns ({@link SegmentTimeline#of}: no pool, no budget). Per
   * entry: time and frame as differences from the previous entry's; one byte for the direction and
   * the kind bits, one for the flags; sequence, acknowledgment and window as differences from the
   * previous entry's in the same direction (zig-zag variable-length numbers); the length. A SACK
   * block: its entry as a difference from the previous block's, its left edge from its entry's
   * acknowledgment, its length.
   */
  static final class TimelineSerializer extends Serializer<SegmentTimeline> {
    TimelineSerializer() {
      setImmutable(true); // read-only to everybody but its table
    }

    @Override
    public void write(Kryo kryo, Output out, SegmentTimeline t) {
      int n = t.size();
      out.writeVarInt(t.capacity(), true);
      out.writeByte((t.truncated() ? 1 : 0) | (t.truncatedByTotal() ? 2 : 0));
      out.writeVarInt(n, true);
      long ts = 0, frame = 0;
      long seq0 = 0, seq1 = 0, ack0 = 0, ack1 = 0;
      int win0 = 0, win1 = 0;
      for (int i = 0; i < n; i++) {
        int dir = t.dir(i) & 1;
        out.writeVarLong(t.ts(i) - ts, false);
        out.writeVarLong(t.frame(i) - frame, false);
        out.writeByte(dir | t.kind(i) << 1);
        out.writeByte(t.flags(i));
        ts = t.ts(i);
        frame = t.frame(i);
        if (dir == 0) {
          out.writeVarLong(t.seq(i) - seq0, false);
          out.writeVarLong(t.ack(i) - ack0, false);
          out.writeVarInt(t.window(i) - win0, false);
          seq0 = t.seq(i);
          ack0 = t.ack(i);
          win0 = t.window(i);
        } else {
          out.writeVarLong(t.seq(i) - seq1, false);
          out.writeVarLong(t.ack(i) - ack1, false);
          out.writeVarInt(t.window(i) - win1, false);
          seq1 = t.seq(i);
          ack1 = t.ack(i);
          win1 = t.window(i);
        }
        out.writeVarInt(t.len(i), true);
      }
      int sacks = t.sackCount();
      out.writeVarInt(sacks, true);
      int entry = 0;
      for (int k = 0; k < sacks; k++) {
        int e = t.sackEntry(k);
        out.writeVarInt(e - entry, true);
        out.writeVarLong(t.sackLeft(k) - t.ack(e), false);
        out.writeVarLong(t.sackRight(k) - t.sackLeft(k), false);
        entry = e;
      }
    }

    @Override
    public SegmentTimeline read(Kryo kryo, Input in, Class<SegmentTimeline> type) {
      int capacity = in.readVarInt(true);
      int truncated = in.readByte();
      int n = in.readVarInt(true);
      long[] ts = new long[n], frame = new long[n], seq = new long[n], ack = new long[n];
      int[] len = new int[n], window = new int[n];
      byte[] dir = new byte[n], flags = new byte[n], kind = new byte[n];
      long lastTs = 0, lastFrame = 0;
      long seq0 = 0, seq1 = 0, ack0 = 0, ack1 = 0;
      int win0 = 0, win1 = 0;
      for (int i = 0; i < n; i++) {
        lastTs = ts[i] = lastTs + in.readVarLong(false);
        lastFrame = frame[i] = lastFrame + in.readVarLong(false);
        int b = in.readByte();
        dir[i] = (byte) (b & 1);
        kind[i] = (byte) (b >> 1);
        flags[i] = in.readByte();
        if (dir[i] == 0) {
          seq0 = seq[i] = seq0 + in.readVarLong(false);
          ack0 = ack[i] = ack0 + in.readVarLong(false);
          win0 = window[i] = win0 + in.readVarInt(false);
        } else {
          seq1 = seq[i] = seq1 + in.readVarLong(false);
          ack1 = ack[i] = ack1 + in.readVarLong(false);
          win1 = window[i] = win1 + in.readVarInt(false);
        }
        len[i] = in.readVarInt(true);
      }
      int sacks = in.readVarInt(true);
      int[] sackEntry = new int[sacks];
      long[] sackLeft = new long[sacks], sackRight = new long[sacks];
      int entry = 0;
      for (int k = 0; k < sacks; k++) {
        entry = sackEntry[k] = entry + in.readVarInt(true);
        sackLeft[k] = ack[entry] + in.readVarLong(false);
        sackRight[k] = sackLeft[k] + in.readVarLong(false);
      }
      return SegmentTimeline.of(
          capacity,
          (truncated & 1) != 0,
          (truncated & 2) != 0,
          ts,
          frame,
          dir,
          seq,
          ack,
          len,
          window,
          flags,
          kind,
          sackEntry,
          sackLeft,
          sackRight);
    }
  }

  static final class HostPairSerializer extends Serializer<HostPair> {
    @Override
    public void write(Kryo kryo, Output out, HostPair p) {
      out.writeByte(p.version);
      out.writeLong(p.aHi);
      out.writeLong(p.aLo);
      out.writeLong(p.bHi);
      out.writeLong(p.bLo);
    }

    @Override
    public HostPair read(Kryo kryo, Input in, Class<HostPair> type) {
      HostPair p = new HostPair();
      p.version = in.readByte();
      p.aHi = in.readLong();
      p.aLo = in.readLong();
      p.bHi = in.readLong();
      p.bLo = in.readLong();
      return p;
    }
  }

  static final class FrameSerializer extends Serializer<Frame> {
    @Override
    public void write(Kryo kryo, Output out, Frame f) {
      out.writeVarInt(f.file, true);
      out.writeVarInt(f.split, true);
      out.writeVarLong(f.local, true);
      out.writeLong(f.tsNanos);
      out.writeVarInt(f.linkType, true);
      out.writeVarInt(f.wireLength, true);
      out.writeVarInt(f.interfaceId, true);
      out.writeVarInt(f.data.length, true);
      out.writeBytes(f.data);
    }

    @Override
    public Frame read(Kryo kryo, Input in, Class<Frame> type) {
      Frame f = new Frame();
      f.file = in.readVarInt(true);
      f.split = in.readVarInt(true);
      f.local = in.readVarLong(true);
      f.tsNanos = in.readLong();
      f.linkType = in.readVarInt(true);
      f.wireLength = in.readVarInt(true);
      f.interfaceId = in.readVarInt(true);
      f.data = in.readBytes(in.readVarInt(true));
      return f;
    }
  }

  static final class FrameKeySerializer extends Serializer<FrameKey> {
    private final HostPairSerializer pairs = new HostPairSerializer();

    @Override
    public void write(Kryo kryo, Output out, FrameKey k) {
      pairs.write(kryo, out, k.pair);
      out.writeVarInt(k.group, true);
      out.writeVarLong(k.frame, true);
    }

    @Override
    public FrameKey read(Kryo kryo, Input in, Class<FrameKey> type) {
      FrameKey k = new FrameKey();
      k.pair = pairs.read(kryo, in, HostPair.class);
      k.group = in.readVarInt(true);
      k.frame = in.readVarLong(true);
      return k;
    }
  }

  /** A frame with its host pair, or (rarely: one per split) a summary, written by Kryo. */
  static final class Stage1OutSerializer extends Serializer<Stage1Out> {
    private final HostPairSerializer pairs = new HostPairSerializer();
    private final FrameSerializer frames = new FrameSerializer();

    @Override
    public void write(Kryo kryo, Output out, Stage1Out o) {
      out.writeBoolean(o.frame != null);
      if (o.frame != null) {
        pairs.write(kryo, out, o.key);
        out.writeVarInt(o.ports + 1, true);
        frames.write(kryo, out, o.frame);
      } else {
        kryo.writeObject(out, o.summary);
      }
    }

    @Override
    public Stage1Out read(Kryo kryo, Input in, Class<Stage1Out> type) {
      Stage1Out o = new Stage1Out();
      if (in.readBoolean()) {
        o.key = pairs.read(kryo, in, HostPair.class);
        o.ports = in.readVarInt(true) - 1;
        o.frame = frames.read(kryo, in, Frame.class);
      } else {
        o.summary = kryo.readObject(in, SplitSummary.class);
      }
      return o;
    }
  }

  /** For the live pipeline objects a record may hold in its own process: they never cross. */
  static final class Refused<T> extends Serializer<T> {
    @Override
    public void write(Kryo kryo, Output out, T o) {
      throw new KryoException(
          o.getClass().getName() + " is live: it does not cross to another stage");
    }

    @Override
    public T read(Kryo kryo, Input in, Class<T> type) {
      throw new KryoException(type.getName() + " does not cross to another stage");
    }
  }
}
