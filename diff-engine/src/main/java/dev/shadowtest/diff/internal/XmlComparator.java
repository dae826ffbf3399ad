package dev.shadowtest.diff.internal;

import dev.shadowtest.diff.BodyComparator;
import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.DifferenceType;
import java.io.ByteArrayInputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Structural XML comparison with the JDK parser, hardened: no DOCTYPE, no external entities, no
 * XInclude (recorded bodies are attacker-controlled). Elements are compared by name, attributes
 * (any order), trimmed text and children in order. Paths are XPath-like: {@code /order/line[2]/@sku}.
 */
final class XmlComparator {

  private XmlComparator() {}

  static void compare(
      byte[] expected,
      byte[] actual,
      BodyComparator.Context context,
      List<Difference> out,
      List<String> notes) {
    Element e = parse(expected);
    Element a = parse(actual);
    if (e == null || a == null) {
      notes.add(
          (e == null ? "expected" : "actual")
              + " body is declared XML but does not parse (or has a DOCTYPE): compared as text");
      BodyComparator.compareAsText(expected, actual, context, out, notes);
      return;
    }
    record Task(Element e, Element a, String path, String field) {}
    ArrayDeque<Task> stack = new ArrayDeque<>();
    stack.push(new Task(e, a, "/" + e.getTagName(), "/" + e.getTagName()));
    if (!e.getTagName().equals(a.getTagName())) {
      out.add(
          new Difference(
              "/",
              "/",
              DifferenceType.VALUE,
              "<" + e.getTagName() + ">",
              "<" + a.getTagName() + ">"));
      return;
    }
    while (!stack.isEmpty()) {
      Task t = stack.pop();
      Map<String, String> ea = attributes(t.e);
      Map<String, String> aa = attributes(t.a);
      for (Map.Entry<String, String> at : ea.entrySet()) {
        String p = t.path + "/@" + at.getKey();
        String f = t.field + "/@" + at.getKey();
        String other = aa.get(at.getKey());
        if (other == null) {
          out.add(new Difference(p, f, DifferenceType.MISSING, at.getValue(), null));
        } else if (!other.equals(at.getValue())) {
          out.add(new Difference(p, f, DifferenceType.VALUE, at.getValue(), other));
        }
      }
      for (Map.Entry<String, String> at : aa.entrySet()) {
        if (!ea.containsKey(at.getKey())) {
          out.add(
              new Difference(
                  t.path + "/@" + at.getKey(),
                  t.field + "/@" + at.getKey(),
                  DifferenceType.EXTRA,
                  null,
                  at.getValue()));
        }
      }
      String et = text(t.e);
      String atext = text(t.a);
      if (!et.equals(atext)) {
        out.add(
            new Difference(
                t.path + "/text()", t.field + "/text()", DifferenceType.VALUE, et, atext));
      }
      List<Element> ec = children(t.e);
      List<Element> ac = children(t.a);
      List<Task> next = new ArrayList<>();
      int n = Math.max(ec.size(), ac.size());
      Map<String, Integer> seen = new TreeMap<>();
      for (int i = 0; i < n; i++) {
        Element x = i < ec.size() ? ec.get(i) : null;
        Element y = i < ac.size() ? ac.get(i) : null;
        String name = (x != null ? x : y).getTagName();
        int index = seen.merge(name, 1, Integer::sum);
        String p = t.path + "/" + name + "[" + index + "]";
        String f = t.field + "/" + name;
        if (x == null) {
          out.add(new Difference(p, f, DifferenceType.EXTRA, null, "<" + y.getTagName() + ">"));
        } else if (y == null) {
          out.add(new Difference(p, f, DifferenceType.MISSING, "<" + x.getTagName() + ">", null));
        } else if (!x.getTagName().equals(y.getTagName())) {
          out.add(
              new Difference(
                  p,
                  f,
                  DifferenceType.VALUE,
                  "<" + x.getTagName() + ">",
                  "<" + y.getTagName() + ">"));
        } else {
          next.add(new Task(x, y, p, f));
        }
      }
      for (int i = next.size() - 1; i >= 0; i--) {
        stack.push(next.get(i));
      }
    }
  }

  static Element parse(byte[] body) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature("http://xml.org/sax/features/external-general-entities", false);
      f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
      DocumentBuilder b = f.newDocumentBuilder();
      b.setErrorHandler(null);
      return b.parse(new ByteArrayInputStream(body)).getDocumentElement();
    } catch (Exception e) {
      return null;
    }
  }

  private static Map<String, String> attributes(Element e) {
    Map<String, String> out = new TreeMap<>();
    NamedNodeMap attrs = e.getAttributes();
    for (int i = 0; i < attrs.getLength(); i++) {
      Node a = attrs.item(i);
      out.put(a.getNodeName(), a.getNodeValue());
    }
    return out;
  }

  /** Direct text, with the places of child elements marked, so {@code x<b/>y} is not {@code xy<b/>}. */
  static String text(Element e) {
    StringBuilder sb = new StringBuilder();
    StringBuilder segment = new StringBuilder();
    NodeList kids = e.getChildNodes();
    for (int i = 0; i < kids.getLength(); i++) {
      Node k = kids.item(i);
      if (k.getNodeType() == Node.TEXT_NODE || k.getNodeType() == Node.CDATA_SECTION_NODE) {
        segment.append(k.getNodeValue());
      } else if (k.getNodeType() == Node.ELEMENT_NODE) {
        if (!segment.toString().isBlank()) {
          sb.append(segment.toString().strip());
        }
        sb.append("<").append(((Element) k).getTagName()).append("/>");
        segment.setLength(0);
      }
    }
    if (!segment.toString().isBlank()) {
      sb.append(segment.toString().strip());
    }
    String all = sb.toString();
    // elements only, no text: nothing to compare here (children are compared on their own)
    return all.replaceAll("<[^<>]*/>", "").isEmpty() ? "" : all;
  }

  static List<Element> children(Element e) {
    List<Element> out = new ArrayList<>();
    NodeList kids = e.getChildNodes();
    for (int i = 0; i < kids.getLength(); i++) {
      if (kids.item(i) instanceof Element el) {
        out.add(el);
      }
    }
    return out;
  }
}
