package io.connscope.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;

/**
 * Writes a Java record as its components, in declaration order, and reads it back through its
 * canonical constructor (so a compact constructor's checks and copies run again): Kryo 4's field
 * serializer cannot rebuild a record (a record's final fields cannot be set by reflection), and
 * Java serialisation writes class descriptors with every object. Per component: a primitive as
 * itself ({@code int} and {@code long} as zig-zag variable-length numbers: -1 is frequent), a
 * {@code String} as Kryo writes strings, a value of a final class (a nested record, an enum without
 * constant bodies, an array) without its class, anything else (a {@code List}, a {@code Map}, an
 * {@code Object}) with its class. Null is allowed wherever the component is not primitive.
 */
final class RecordSerializer<T extends Record> extends Serializer<T> {
  private static final byte BOOLEAN = 0,
      BYTE = 1,
      SHORT = 2,
      CHAR = 3,
      INT = 4,
      LONG = 5,
      FLOAT = 6,
      DOUBLE = 7,
      STRING = 8,
      FINAL = 9,
      ANY = 10;

  private final Class<?>[] types;
  private final byte[] kinds;

  /** Each component's accessor, as {@code (Object) -> primitive} or {@code (Object) -> Object}. */
  private final MethodHandle[] getters;

  /** The canonical constructor, as {@code (Object[]) -> Object}. */
  private final MethodHandle constructor;

  RecordSerializer(Class<T> type) {
    setImmutable(true); // Kryo's copy() may return the record itself
    RecordComponent[] components = type.getRecordComponents();
    if (components == null) {
      throw new IllegalArgumentException(type.getName() + " is not a record");
    }
    int n = components.length;
    types = new Class<?>[n];
    kinds = new byte[n];
    getters = new MethodHandle[n];
    MethodHandles.Lookup lookup = MethodHandles.lookup();
    try {
      for (int i = 0; i < n; i++) {
        types[i] = components[i].getType();
        kinds[i] = kindOf(types[i]);
        var accessor = components[i].getAccessor();
        accessor.setAccessible(true);
        // primitives read as themselves (no box per component written)
        Class<?> as = types[i].isPrimitive() ? types[i] : Object.class;
        getters[i] = lookup.unreflect(accessor).asType(MethodType.methodType(as, Object.class));
      }
      Constructor<T> c = type.getDeclaredConstructor(types);
      c.setAccessible(true);
      constructor =
          lookup
              .unreflectConstructor(c)
              .asSpreader(Object[].class, n)
              .asType(MethodType.methodType(Object.class, Object[].class));
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalArgumentException("cannot serialise record " + type.getName(), e);
    }
  }

  private static byte kindOf(Class<?> t) {
    if (t == boolean.class) {
      return BOOLEAN;
    } else if (t == byte.class) {
      return BYTE;
    } else if (t == short.class) {
      return SHORT;
    } else if (t == char.class) {
      return CHAR;
    } else if (t == int.class) {
      return INT;
    } else if (t == long.class) {
      return LONG;
    } else if (t == float.class) {
      return FLOAT;
    } else if (t == double.class) {
      return DOUBLE;
    } else if (t == String.class) {
      return STRING;
    }
    return Modifier.isFinal(t.getModifiers()) ? FINAL : ANY;
  }

  @Override
  public void write(Kryo kryo, Output out, T record) {
    try {
      Object r = record;
      for (int i = 0; i < kinds.length; i++) {
        MethodHandle g = getters[i];
        switch (kinds[i]) {
          case BOOLEAN -> out.writeBoolean((boolean) g.invokeExact(r));
          case BYTE -> out.writeByte((byte) g.invokeExact(r));
          case SHORT -> out.writeShort((short) g.invokeExact(r));
          case CHAR -> out.writeChar((char) g.invokeExact(r));
          case INT -> out.writeVarInt((int) g.invokeExact(r), false);
          case LONG -> out.writeVarLong((long) g.invokeExact(r), false);
          case FLOAT -> out.writeFloat((float) g.invokeExact(r));
          case DOUBLE -> out.writeDouble((double) g.invokeExact(r));
          case STRING -> out.writeString((String) (Object) g.invokeExact(r));
          case FINAL -> kryo.writeObjectOrNull(out, (Object) g.invokeExact(r), types[i]);
          default -> kryo.writeClassAndObject(out, (Object) g.invokeExact(r));
        }
      }
    } catch (KryoException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new KryoException("writing " + record.getClass().getName(), e);
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public T read(Kryo kryo, Input in, Class<T> type) {
    Object[] args = new Object[kinds.length];
    for (int i = 0; i < kinds.length; i++) {
      args[i] =
          switch (kinds[i]) {
            case BOOLEAN -> in.readBoolean();
            case BYTE -> in.readByte();
            case SHORT -> in.readShort();
            case CHAR -> in.readChar();
            case INT -> in.readVarInt(false);
            case LONG -> in.readVarLong(false);
            case FLOAT -> in.readFloat();
            case DOUBLE -> in.readDouble();
            case STRING -> in.readString();
            case FINAL -> kryo.readObjectOrNull(in, types[i]);
            default -> kryo.readClassAndObject(in);
          };
    }
    try {
      Object record = constructor.invokeExact(args);
      return (T) record;
    } catch (KryoException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new KryoException("reading " + type.getName(), e);
    }
  }
}
