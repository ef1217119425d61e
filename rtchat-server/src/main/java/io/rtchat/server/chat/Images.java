package io.rtchat.server.chat;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;

/**
 * Image uploads (spec §2.1 {@code file}): type by extension, dimensions read from the header
 * before any decoding (decompression-bomb guard, spec §8.5.4), longest side scaled down, JPEG and
 * PNG re-encoded (which drops metadata), GIF kept.
 */
final class Images {

  static final String UNSUPPORTED = "Unsupported image type, should be a jpeg, GIF or png.";

  /** A refused upload; the message is shown to the user. */
  static final class ImageException extends Exception {
    private static final long serialVersionUID = 1L;

    ImageException(String message) {
      super(message);
    }
  }

  private Images() {}

  static String mimeType(String filename) {
    String f = filename == null ? "" : filename.toLowerCase(Locale.ROOT);
    if (f.endsWith(".jpg") || f.endsWith(".jpeg")) {
      return "image/jpeg";
    }
    if (f.endsWith(".gif")) {
      return "image/gif";
    }
    if (f.endsWith(".png")) {
      return "image/png";
    }
    return null;
  }

  /** The chat HTML for an upload. */
  static String toHtml(byte[] data, String filename, int maxWidth, int previewWidth, long maxPixels, int maxBytes)
      throws ImageException {
    String type = mimeType(filename);
    if (type == null) {
      throw new ImageException(UNSUPPORTED);
    }
    if (data == null || data.length == 0) {
      throw new ImageException("The image is empty.");
    }
    if (data.length > maxBytes) {
      throw new ImageException("That image is too large (at most " + (maxBytes / (1024 * 1024)) + " MB).");
    }
    byte[] out = data;
    int w = 360;
    int h = 360;
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (readers.hasNext()) {
        ImageReader reader = readers.next();
        try {
          reader.setInput(in, true, true);
          int width = reader.getWidth(0);
          int height = reader.getHeight(0);
          if (width <= 0 || height <= 0 || (long) width * height > maxPixels) {
            throw new ImageException("That image is too large (" + width + "x" + height + " pixels).");
          }
          w = width;
          h = height;
          if (!type.equals("image/gif")) {
            BufferedImage img = reader.read(0);
            if (Math.max(w, h) > maxWidth) {
              double f = (double) maxWidth / Math.max(w, h);
              w = Math.max(1, (int) Math.round(w * f));
              h = Math.max(1, (int) Math.round(h * f));
              img = scale(img, w, h, type.equals("image/png"));
            }
            out = encode(img, type);
          }
        } finally {
          reader.dispose();
        }
      }
    } catch (ImageException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // Undecodable data passes through at the default preview size (spec §2.1).
      out = data;
      w = 360;
      h = 360;
    }
    int pw = w;
    int ph = h;
    if (Math.max(pw, ph) > previewWidth) {
      double f = (double) previewWidth / Math.max(pw, ph);
      pw = Math.max(1, (int) Math.round(pw * f));
      ph = Math.max(1, (int) Math.round(ph * f));
    }
    return "<img src=\"data:" + type + ";base64," + Base64.getEncoder().encodeToString(out) + "\" width=\"" + pw
        + "\" height=\"" + ph + "\" onclick=\"setModalImage(this.src)\" style=\"cursor: pointer\">";
  }

  private static BufferedImage scale(BufferedImage src, int w, int h, boolean alpha) {
    BufferedImage dst = new BufferedImage(w, h, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
    Graphics2D g = dst.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(src, 0, 0, w, h, null);
    } finally {
      g.dispose();
    }
    return dst;
  }

  private static byte[] encode(BufferedImage img, String type) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    if (type.equals("image/png")) {
      ImageIO.write(img, "png", bytes);
      return bytes.toByteArray();
    }
    BufferedImage rgb = img;
    if (img.getType() != BufferedImage.TYPE_INT_RGB) {
      rgb = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
      Graphics2D g = rgb.createGraphics();
      g.drawImage(img, 0, 0, null);
      g.dispose();
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    try (ImageOutputStream ios = ImageIO.createImageOutputStream(bytes)) {
      writer.setOutput(ios);
      ImageWriteParam p = writer.getDefaultWriteParam();
      p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      p.setCompressionQuality(0.9f);
      writer.write(null, new IIOImage(rgb, null, null), p);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }
}
