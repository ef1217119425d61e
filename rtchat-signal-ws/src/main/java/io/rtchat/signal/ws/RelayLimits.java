package io.rtchat.signal.ws;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits a {@link RelayHub} enforces. Start from {@link #defaults()} and change what you need with
 * the {@code with...} methods; every value must be positive.
 *
 * @param maxFrameBytes largest frame accepted from a client, in UTF-8 bytes; larger frames close the
 *     connection (1009)
 * @param maxConnections open connections, joined or not; more are closed at once (1013)
 * @param maxRooms rooms with at least one peer; a join that would open one more is refused
 * @param maxPeersPerRoom peers in one room; a join beyond it is refused
 * @param maxNameLength longest room or peer name, in characters
 * @param framesPerSecond sustained frames a connection may send; excess frames are dropped with an
 *     error frame
 * @param frameBurst frames a connection may send at once before the rate applies
 * @param violationBurst dropped or invalid frames a connection may cause before it is closed (1008)
 * @param violationsForgivenPerSecond rate at which that allowance refills
 * @param maxQueuedBytes bytes that may wait to be written to one connection; a peer that reads more
 *     slowly is closed (1008) instead of the queue growing
 * @param goodbyeDelay how long the goodbye of a peer that vanished is held back; when the same
 *     client (same session) joins again within it, the room never sees the goodbye. Zero delivers
 *     at once. Like MQTT 5's will delay: a relay-side blip must not end live peer sessions.
 */
public record RelayLimits(
    int maxFrameBytes,
    int maxConnections,
    int maxRooms,
    int maxPeersPerRoom,
    int maxNameLength,
    double framesPerSecond,
    int frameBurst,
    int violationBurst,
    double violationsForgivenPerSecond,
    long maxQueuedBytes,
    Duration goodbyeDelay) {

  /** Largest frame a client sends by default: a 64 KiB envelope even when fully escaped. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 256 * 1024;

  public RelayLimits {
    positive("maxFrameBytes", maxFrameBytes);
    positive("maxConnections", maxConnections);
    positive("maxRooms", maxRooms);
    positive("maxPeersPerRoom", maxPeersPerRoom);
    positive("maxNameLength", maxNameLength);
    positive("framesPerSecond", framesPerSecond);
    positive("frameBurst", frameBurst);
    positive("violationBurst", violationBurst);
    positive("violationsForgivenPerSecond", violationsForgivenPerSecond);
    positive("maxQueuedBytes", maxQueuedBytes);
    Objects.requireNonNull(goodbyeDelay, "goodbyeDelay");
    if (goodbyeDelay.isNegative()) {
      throw new IllegalArgumentException("RelayLimits.goodbyeDelay must not be negative");
    }
    if (maxQueuedBytes < maxFrameBytes) {
      throw new IllegalArgumentException("maxQueuedBytes (" + maxQueuedBytes
          + ") must hold at least one frame of maxFrameBytes (" + maxFrameBytes + ")");
    }
  }

  /** Limits suited to a small public relay. */
  public static RelayLimits defaults() {
    return new RelayLimits(DEFAULT_MAX_FRAME_BYTES, 10_000, 1_000, 64, 64, 50, 100, 100, 5,
        4L * 1024 * 1024, Duration.ofSeconds(2));
  }

  public RelayLimits withMaxFrameBytes(int value) {
    return new RelayLimits(value, maxConnections, maxRooms, maxPeersPerRoom, maxNameLength,
        framesPerSecond, frameBurst, violationBurst, violationsForgivenPerSecond, maxQueuedBytes,
        goodbyeDelay);
  }

  public RelayLimits withMaxConnections(int value) {
    return new RelayLimits(maxFrameBytes, value, maxRooms, maxPeersPerRoom, maxNameLength,
        framesPerSecond, frameBurst, violationBurst, violationsForgivenPerSecond, maxQueuedBytes,
        goodbyeDelay);
  }

  public RelayLimits withMaxRooms(int value) {
    return new RelayLimits(maxFrameBytes, maxConnections, value, maxPeersPerRoom, maxNameLength,
        framesPerSecond, frameBurst, violationBurst, violationsForgivenPerSecond, maxQueuedBytes,
        goodbyeDelay);
  }

  public RelayLimits withMaxPeersPerRoom(int value) {
    return new RelayLimits(maxFrameBytes, maxConnections, maxRooms, value, maxNameLength,
        framesPerSecond, frameBurst, violationBurst, violationsForgivenPerSecond, maxQueuedBytes,
        goodbyeDelay);
  }

  public RelayLimits withMaxNameLength(int value) {
    return new RelayLimits(maxFrameBytes, maxConnections, maxRooms, maxPeersPerRoom, value,
        framesPerSecond, frameBurst, violationBurst, violationsForgivenPerSecond, maxQueuedBytes,
        goodbyeDelay);
  }

  /** Sustained frame rate and burst per connection. */
  public RelayLimits withRate(double perSecond, int burst) {
    return new RelayLimits(maxFrameBytes, maxConnections, maxRooms, maxPeersPerRoom, maxNameLength,
        perSecond, burst, violationBurst, violationsForgivenPerSecond, maxQueuedBytes,
        goodbyeDelay);
  }

  /** How many bad or dropped frames a connection may cause, and how fast that is forgiven. */
  public RelayLimits withViolations(int burst, double forgivenPerSecond) {
    return new RelayLimits(maxFrameBytes, maxConnections, maxRooms, maxPeersPerRoom, maxNameLength,
        framesPerSecond, frameBurst, burst, forgivenPerSecond, maxQueuedBytes, goodbyeDelay);
  }

  public RelayLimits withMaxQueuedBytes(long value) {
    return new RelayLimits(maxFrameBytes, maxConnections, maxRooms, maxPeersPerRoom, maxNameLength,
        framesPerSecond, frameBurst, violationBurst, violationsForgivenPerSecond, value, goodbyeDelay);
  }

  public RelayLimits withGoodbyeDelay(Duration value) {
    return new RelayLimits(maxFrameBytes, maxConnections, maxRooms, maxPeersPerRoom, maxNameLength,
        framesPerSecond, frameBurst, violationBurst, violationsForgivenPerSecond, maxQueuedBytes,
        value);
  }

  private static void positive(String name, double value) {
    if (!(value > 0)) {
      throw new IllegalArgumentException("RelayLimits." + name + " must be positive, got " + value);
    }
  }
}
