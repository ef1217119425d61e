package io.rtchat.server;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/** Small generated test data. */
final class Fixtures {
  private Fixtures() {}

  static byte[] png(int w, int h) throws Exception {
    return image(w, h, "png");
  }

  static byte[] jpeg(int w, int h) throws Exception {
    return image(w, h, "jpeg");
  }

  private static byte[] image(int w, int h, String format) throws Exception {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.ORANGE);
    g.fillRect(0, 0, w, h);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, format, out);
    return out.toByteArray();
  }

  /** Bytes as the UI sends them: a JSON array of 0..255. */
  static List<Integer> unsigned(byte[] bytes) {
    List<Integer> out = new ArrayList<>(bytes.length);
    for (byte b : bytes) {
      out.add(b & 0xff);
    }
    return out;
  }
}
