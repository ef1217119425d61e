package io.rtchat.server.chat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.commonmark.Extension;
import org.commonmark.ext.autolink.AutolinkExtension;
import org.commonmark.ext.gfm.strikethrough.StrikethroughExtension;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * Markdown to safe HTML: GFM tables, strikethrough, autolinks, fenced code; raw HTML in the input
 * is escaped (not passed through) and link URLs are sanitized, so the output needs no further
 * allow-listing. YouTube links get an embed appended.
 */
final class Markdown {
  private static final List<Extension> EXTENSIONS = List.of(
      AutolinkExtension.create(), StrikethroughExtension.create(), TablesExtension.create());
  private static final Parser PARSER = Parser.builder().extensions(EXTENSIONS).build();
  private static final HtmlRenderer RENDERER = HtmlRenderer.builder()
      .extensions(EXTENSIONS)
      .escapeHtml(true)
      .sanitizeUrls(true)
      .build();
  private static final Pattern YOUTUBE = Pattern.compile(
      "https?://(?:www\\.|m\\.)?(?:youtube\\.com/watch\\?(?:[^\\s]*&)?v=|youtu\\.be/)([A-Za-z0-9_-]{11})");
  private static final Pattern TAGS = Pattern.compile("<[^>]*>");

  private Markdown() {}

  static String render(String markdown) {
    return RENDERER.render(PARSER.parse(markdown == null ? "" : markdown)).trim();
  }

  /** Rendered message HTML, with YouTube embeds; empty when nothing visible remains. */
  static String renderMessage(String markdown) {
    String html = render(markdown);
    if (TAGS.matcher(html).replaceAll("").isBlank()) {
      return "";
    }
    Matcher m = YOUTUBE.matcher(markdown);
    StringBuilder sb = new StringBuilder(html);
    int embeds = 0;
    while (m.find() && embeds < 3) {
      embeds++;
      sb.append("<iframe width=\"560\" height=\"315\" src=\"https://www.youtube.com/embed/").append(m.group(1))
          .append("\" title=\"YouTube video player\" frameborder=\"0\" allow=\"accelerometer; autoplay; "
              + "clipboard-write; encrypted-media; gyroscope; picture-in-picture; web-share\" allowfullscreen></iframe>");
    }
    return sb.toString();
  }
}
