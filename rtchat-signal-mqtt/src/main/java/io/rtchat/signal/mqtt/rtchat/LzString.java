package io.rtchat.signal.mqtt.rtchat;

import java.util.ArrayList;
import java.util.List;

/**
 * The decoder of LZ-String 1.4.4's {@code compress}, which the RTChat page uses (16 bits per unit,
 * each unit sent as two big-endian bytes by {@code compressToUint8Array}). Written from the
 * algorithm's description: a bit stream read most significant bit first within each 16-bit unit,
 * tokens of a growing width; token 0 adds an 8-bit character to the dictionary, 1 a 16-bit one,
 * 2 ends the stream, any other is a dictionary index (or the entry about to be created).
 */
final class LzString {

  /** Most characters one payload may expand to; bounds the work a hostile payload can cause. */
  static final int MAX_OUTPUT_CHARS = 1 << 20;

  private LzString() {}

  /** Decodes big-endian 16-bit units; {@code null} when the bytes are not a valid stream. */
  static String decompressFromBigEndianBytes(byte[] bytes) {
    if (bytes.length % 2 != 0) {
      return null;
    }
    char[] units = new char[bytes.length / 2];
    for (int i = 0; i < units.length; i++) {
      units[i] = (char) (((bytes[2 * i] & 0xFF) << 8) | (bytes[2 * i + 1] & 0xFF));
    }
    return decompress(new String(units));
  }

  /**
   * {@code LZString.decompress}: "" for an empty input or an immediate end token, {@code null}
   * for a stream that refers to an unknown dictionary entry or runs past its end.
   */
  static String decompress(String compressed) {
    if (compressed == null) {
      return "";
    }
    if (compressed.isEmpty()) {
      return "";
    }
    return new Reader(compressed).run();
  }

  private static final class Reader {
    private static final int RESET = 32768;
    private final String input;
    private int value;
    private int position = RESET;
    private int index = 1;

    Reader(String input) {
      this.input = input;
      this.value = input.charAt(0);
    }

    private int unitAt(int i) {
      return i < input.length() ? input.charAt(i) : 0;
    }

    private int bits(int count) {
      int result = 0;
      for (int bit = 0; bit < count; bit++) {
        boolean set = (value & position) != 0;
        position >>= 1;
        if (position == 0) {
          position = RESET;
          value = unitAt(index++);
        }
        if (set) {
          result |= 1 << bit;
        }
      }
      return result;
    }

    String run() {
      List<String> dictionary = new ArrayList<>();
      // Entries 0, 1 and 2 are the three control codes.
      dictionary.add(null);
      dictionary.add(null);
      dictionary.add(null);
      int enlargeIn = 4;
      int width = 3;
      String first;
      switch (bits(2)) {
        case 0 -> first = String.valueOf((char) bits(8));
        case 1 -> first = String.valueOf((char) bits(16));
        default -> {
          return "";
        }
      }
      dictionary.add(first);
      String previous = first;
      StringBuilder out = new StringBuilder(first);
      while (true) {
        if (index > input.length()) {
          return "";
        }
        int code = bits(width);
        switch (code) {
          case 0, 1 -> {
            dictionary.add(String.valueOf((char) bits(code == 0 ? 8 : 16)));
            code = dictionary.size() - 1;
            enlargeIn--;
          }
          case 2 -> {
            return out.toString();
          }
          default -> { }
        }
        if (enlargeIn == 0) {
          enlargeIn = 1 << width;
          width++;
        }
        String entry;
        if (code < dictionary.size()) {
          entry = dictionary.get(code);
        } else if (code == dictionary.size()) {
          entry = previous + previous.charAt(0);
        } else {
          return null;
        }
        out.append(entry);
        if (out.length() > MAX_OUTPUT_CHARS) {
          return null;
        }
        dictionary.add(previous + entry.charAt(0));
        enlargeIn--;
        previous = entry;
        if (enlargeIn == 0) {
          enlargeIn = 1 << width;
          width++;
        }
      }
    }
  }
}
