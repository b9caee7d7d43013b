package io.connscope.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.connscope.spark.Parts.Frame;
import io.connscope.spark.Parts.FrameKey;
import io.connscope.spark.Parts.HostPair;
import io.connscope.spark.Parts.Out;
import io.connscope.spark.Parts.SplitSummary;
import io.connscope.spark.Parts.Stage1Out;
import io.connscope.spark.Parts.WarningCount;
import java.util.ArrayList;
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
      out.writeVarLong(k.frame, true);
    }

    @Override
    public FrameKey read(Kryo kryo, Input in, Class<FrameKey> type) {
      FrameKey k = new FrameKey();
      k.pair = pairs.read(kryo, in, HostPair.class);
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
        o.frame = frames.read(kryo, in, Frame.class);
      } else {
        o.summary = kryo.readObject(in, SplitSummary.class);
      }
      return o;
    }
  }
}
