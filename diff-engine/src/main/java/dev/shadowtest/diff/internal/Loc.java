package dev.shadowtest.diff.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A location in a JSON document as a persistent list: children share their parent's prefix. */
final class Loc {
  static final Loc ROOT = new Loc(null, null, 0);

  final Loc parent;
  final Object element; // String member or Integer index
  final int depth;

  private Loc(Loc parent, Object element, int depth) {
    this.parent = parent;
    this.element = element;
    this.depth = depth;
  }

  Loc child(Object element) {
    return new Loc(this, element, depth + 1);
  }

  List<Object> toList() {
    if (depth == 0) {
      return List.of();
    }
    List<Object> out = new ArrayList<>(depth);
    for (Loc l = this; l.depth > 0; l = l.parent) {
      out.add(l.element);
    }
    Collections.reverse(out);
    return out;
  }
}
