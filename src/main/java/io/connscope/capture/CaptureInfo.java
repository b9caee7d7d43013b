package io.connscope.capture;

/**
 * Per-frame capture metadata, handed to the decoder together with the frame bytes.
 *
 * <p>One instance is owned by each {@link PacketSource} and overwritten by every call to {@link
 * PacketSource#next()}: it is valid only until the next frame, and must not be kept.
 */
public final class CaptureInfo {
  /** 1-based frame number across every file of one analysis (as Wireshark numbers frames). */
  public long frameNumber;

  /** Capture timestamp in nanoseconds since the Unix epoch. */
  public long timestampNanos;

  /** Bytes of the frame present in the capture (after snaplen). */
  public int capturedLength;

  /** Bytes of the frame on the wire (original length). */
  public int wireLength;

  /** Interface index within the capture file (0 for pcap). */
  public int interfaceId;

  /** Link-layer header type of the frame ({@link LinkType}). */
  public int linkType;

  /** Copies every field from {@code other}. */
  public void copyFrom(CaptureInfo other) {
    frameNumber = other.frameNumber;
    timestampNanos = other.timestampNanos;
    capturedLength = other.capturedLength;
    wireLength = other.wireLength;
    interfaceId = other.interfaceId;
    linkType = other.linkType;
  }
}
