/* Goal Workbooks: the sheet's own PDF with the answers typed online filled in.
   Made on this device: the only request is for the site's own PDF file, and the
   result is saved from memory. The file gets an incremental update (the PDF's
   bytes stay as they are; new versions of the filled fields are appended), so its
   fields stay editable and `workbook progress` reads it like one filled in a viewer.
   Why not pdf-lib: measured on our session-prep sheet, pdf-lib is 525 KB minified,
   rewrites the whole file, draws in a Helvetica it does not embed, and its
   appearance for a box of several lines showed blank in PDFium, MuPDF and Poppler.
   This file is loaded only when the button is pressed.

   GoalWorkbooksFillPdf(bytes, answers) -> Promise<Uint8Array>
     answers: field name -> text, true (a tick) or a radio option's value, as
     sheet.js keeps them. */
(function () {
  "use strict";

  var WS = { 0: 1, 9: 1, 10: 1, 12: 1, 13: 1, 32: 1 };
  var DELIM = { 40: 1, 41: 1, 60: 1, 62: 1, 91: 1, 93: 1, 123: 1, 125: 1, 47: 1, 37: 1 };

  function Name(v) { this.v = v; }
  function Ref(n, g) { this.n = n; this.g = g; }
  function Raw(bytes) { this.bytes = bytes; }  // a string, as its bytes

  /* ------------------------------------------------------------ reading */

  function Lexer(data, pos) { this.d = data; this.p = pos || 0; }
  Lexer.prototype.skip = function () {
    var d = this.d;
    while (this.p < d.length) {
      var c = d[this.p];
      if (WS[c]) this.p++;
      else if (c === 37) { while (this.p < d.length && d[this.p] !== 10 && d[this.p] !== 13) this.p++; }
      else break;
    }
  };
  Lexer.prototype.word = function () {
    var d = this.d, start = this.p;
    while (this.p < d.length && !WS[d[this.p]] && !DELIM[d[this.p]]) this.p++;
    return String.fromCharCode.apply(null, d.subarray(start, this.p));
  };
  Lexer.prototype.value = function () {
    this.skip();
    var d = this.d, c = d[this.p];
    if (c === 60 && d[this.p + 1] === 60) {
      this.p += 2;
      var dict = new Map();
      for (;;) {
        this.skip();
        if (d[this.p] === 62 && d[this.p + 1] === 62) { this.p += 2; return dict; }
        var key = this.value();
        if (!(key instanceof Name)) throw new Error("bad dictionary");
        dict.set(key.v, this.value());
      }
    }
    if (c === 91) {
      this.p++;
      var list = [];
      for (;;) {
        this.skip();
        if (d[this.p] === 93) { this.p++; return list; }
        list.push(this.value());
      }
    }
    if (c === 47) {
      this.p++;
      return new Name(this.word().replace(/#([0-9a-fA-F]{2})/g, function (m, h) {
        return String.fromCharCode(parseInt(h, 16));
      }));
    }
    if (c === 40) return this.literal();
    if (c === 60) {
      var end = d.indexOf(62, this.p);
      var hex = String.fromCharCode.apply(null, d.subarray(this.p + 1, end)).replace(/\s+/g, "");
      this.p = end + 1;
      if (hex.length % 2) hex += "0";
      var out = new Uint8Array(hex.length / 2);
      for (var i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
      return new Raw(out);
    }
    var w = this.word();
    if (w === "true") return true;
    if (w === "false") return false;
    if (w === "null") return null;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(w)) throw new Error("unexpected " + w);
    var save = this.p;
    if (/^\d+$/.test(w)) {  // maybe "n g R"
      this.skip();
      var g = this.word();
      if (/^\d+$/.test(g)) {
        this.skip();
        if (this.d[this.p] === 82 && (WS[this.d[this.p + 1]] || DELIM[this.d[this.p + 1]] || this.p + 1 >= this.d.length)) {
          this.p++;
          return new Ref(+w, +g);
        }
      }
      this.p = save;
    }
    return parseFloat(w);
  };
  Lexer.prototype.literal = function () {
    var d = this.d, out = [], depth = 0;
    this.p++;
    for (;;) {
      var c = d[this.p++];
      if (c === 92) {
        var e = d[this.p++];
        var map = { 110: 10, 114: 13, 116: 9, 98: 8, 102: 12 };
        if (map[e] !== undefined) out.push(map[e]);
        else if (e >= 48 && e <= 55) {
          var oct = e - 48;
          for (var k = 0; k < 2 && d[this.p] >= 48 && d[this.p] <= 55; k++) oct = oct * 8 + d[this.p++] - 48;
          out.push(oct & 255);
        } else if (e === 13) { if (d[this.p] === 10) this.p++; }
        else if (e !== 10) out.push(e);
      } else if (c === 40) { depth++; out.push(c); }
      else if (c === 41) { if (depth === 0) return new Raw(new Uint8Array(out)); depth--; out.push(c); }
      else out.push(c);
    }
  };

  function find(data, text, from) {
    var codes = [];
    for (var i = 0; i < text.length; i++) codes.push(text.charCodeAt(i));
    outer: for (var p = from; p <= data.length - codes.length; p++) {
      for (var j = 0; j < codes.length; j++) if (data[p + j] !== codes[j]) continue outer;
      return p;
    }
    return -1;
  }

  function inflate(bytes) {
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).arrayBuffer().then(function (b) { return new Uint8Array(b); });
  }

  function unpredict(data, parms) {  // PNG predictors, as qpdf writes xref streams
    var predictor = parms && parms.get("Predictor");
    if (!predictor || predictor < 10) return data;
    var columns = parms.get("Columns") || 1;
    var rows = data.length / (columns + 1), out = new Uint8Array(rows * columns);
    var prior = new Uint8Array(columns);
    for (var r = 0; r < rows; r++) {
      var type = data[r * (columns + 1)], row = data.subarray(r * (columns + 1) + 1, (r + 1) * (columns + 1));
      for (var c = 0; c < columns; c++) {
        var left = c ? out[r * columns + c - 1] : 0, up = prior[c], x = row[c];
        var v = type === 2 ? x + up : type === 1 ? x + left : type === 0 ? x
          : type === 3 ? x + ((left + up) >> 1) : x + paeth(left, up, c ? prior[c - 1] : 0);
        out[r * columns + c] = v & 255;
      }
      prior = out.subarray(r * columns, (r + 1) * columns);
    }
    return out;
  }
  function paeth(a, b, c) {
    var p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
  }

  function streamAt(data, lexer, dict) {
    lexer.skip();
    var p = find(data, "stream", lexer.p) + 6;
    if (data[p] === 13) p++;
    if (data[p] === 10) p++;
    var raw = data.subarray(p, p + dict.get("Length"));
    return dict.get("Filter") ? inflate(raw).then(function (b) { return unpredict(b, dict.get("DecodeParms")); })
      : Promise.resolve(raw);
  }

  function Doc(data) {
    this.data = data;
    this.where = new Map();  // object number -> [type, a, b]
    this.streams = new Map();  // object stream number -> Promise of its objects
  }
  Doc.prototype.open = function () {
    var data = this.data, self = this;
    var tail = String.fromCharCode.apply(null, data.subarray(Math.max(0, data.length - 64)));
    var match = /startxref\s+(\d+)/.exec(tail);
    if (!match) throw new Error("no startxref");
    this.startxref = +match[1];
    var lexer = new Lexer(data, this.startxref);
    lexer.value(); lexer.value(); lexer.skip(); lexer.word();  // "n g obj"
    var dict = lexer.value();
    if (!(dict instanceof Map) || !dict.get("Type") || dict.get("Type").v !== "XRef") {
      throw new Error("not an xref stream");  // ours always are (qpdf writes them)
    }
    this.trailer = dict;
    return streamAt(data, lexer, dict).then(function (rows) {
      var w = dict.get("W"), index = dict.get("Index") || [0, dict.get("Size")];
      var width = w[0] + w[1] + w[2], at = 0;
      function field(n) { var v = 0; for (var i = 0; i < n; i++) v = v * 256 + rows[at++]; return v; }
      for (var k = 0; k < index.length; k += 2) {
        for (var i = 0; i < index[k + 1]; i++) {
          var type = w[0] ? field(w[0]) : 1, a = field(w[1]), b = field(w[2]);
          if (!self.where.has(index[k] + i)) self.where.set(index[k] + i, [type, a, b]);
        }
      }
      if (dict.get("Prev") !== undefined) throw new Error("an updated file");  // a download is not
      return self;
    });
  };
  Doc.prototype.get = function (ref) {
    if (!(ref instanceof Ref)) return Promise.resolve(ref);
    var entry = this.where.get(ref.n), self = this;
    if (!entry) return Promise.resolve(null);
    if (entry[0] === 1) {
      var lexer = new Lexer(this.data, entry[1]);
      lexer.value(); lexer.value(); lexer.skip(); lexer.word();
      return Promise.resolve(lexer.value());
    }
    if (!this.streams.has(entry[1])) {
      var holder = this.where.get(entry[1]);
      var lexer2 = new Lexer(this.data, holder[1]);
      lexer2.value(); lexer2.value(); lexer2.skip(); lexer2.word();
      var dict = lexer2.value();
      this.streams.set(entry[1], streamAt(this.data, lexer2, dict).then(function (body) {
        var head = new Lexer(body, 0), offsets = [];
        for (var i = 0; i < dict.get("N"); i++) offsets.push([head.value(), head.value()]);
        return offsets.map(function (pair) {
          return new Lexer(body, dict.get("First") + pair[1]).value();
        });
      }));
    }
    return this.streams.get(entry[1]).then(function (objects) { return objects[entry[2]]; });
  };

  /* ------------------------------------------------------------ writing */

  function text(value) {  // a PDF text string: UTF-16BE with its byte order mark
    var out = [254, 255];
    for (var i = 0; i < value.length; i++) {
      var c = value.charCodeAt(i);
      out.push(c >> 8, c & 255);
    }
    return new Raw(new Uint8Array(out));
  }

  function write(value) {
    if (value instanceof Name) {
      return "/" + value.v.replace(/[^!-~]|[#()<>\[\]{}\/%]/g, function (c) {
        return "#" + ("0" + c.charCodeAt(0).toString(16)).slice(-2);
      });
    }
    if (value instanceof Ref) return value.n + " " + value.g + " R";
    if (value instanceof Raw) {
      return "<" + Array.prototype.map.call(value.bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("") + ">";
    }
    if (value instanceof Map) {
      var parts = [];
      value.forEach(function (v, k) { parts.push(write(new Name(k)) + " " + write(v)); });
      return "<< " + parts.join(" ") + " >>";
    }
    if (Array.isArray(value)) return "[ " + value.map(write).join(" ") + " ]";
    if (value === null) return "null";
    if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(6).replace(/0+$/, "");
    return String(value);
  }

  function ascii(s) {
    var out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }

  function onState(widget) {
    var ap = widget.get("AP"), normal = ap && ap.get("N");
    if (!(normal instanceof Map)) return null;
    var found = null;
    normal.forEach(function (v, k) { if (k !== "Off") found = k; });
    return found;
  }

  function fill(bytes, answers) {
    var data = new Uint8Array(bytes), doc = new Doc(data), changed = new Map();
    return doc.open().then(function () {
      return doc.get(doc.trailer.get("Root"));
    }).then(function (root) {
      doc.rootDict = root;
      return doc.get(root.get("AcroForm"));
    }).then(function (form) {
      doc.form = form;
      return Promise.all(form.get("Fields").map(function (ref) {
        return doc.get(ref).then(function (field) { return [ref, field]; });
      }));
    }).then(function (fields) {
      var kids = [];
      fields.forEach(function (pair) {
        var ref = pair[0], field = pair[1], name = field.get("T");
        if (!(ref instanceof Ref) || !(name instanceof Raw)) return;
        name = String.fromCharCode.apply(null, name.bytes);
        if (!(name in answers)) return;
        var value = answers[name], type = field.get("FT") && field.get("FT").v;
        var flags = field.get("Ff") || 0;
        if (type === "Tx") {
          field.set("V", text(String(value).replace(/\r?\n/g, "\r")));
          changed.set(ref.n, [ref, field]);
        } else if (type === "Btn" && flags & 32768) {
          field.set("V", new Name(String(value)));
          changed.set(ref.n, [ref, field]);
          (field.get("Kids") || []).forEach(function (kid) { kids.push([kid, String(value)]); });
        } else if (type === "Btn" && value === true) {
          var state = onState(field) || "Yes";
          field.set("V", new Name(state));
          field.set("AS", new Name(state));
          changed.set(ref.n, [ref, field]);
        }
      });
      return Promise.all(kids.map(function (pair) {
        return doc.get(pair[0]).then(function (kid) {
          var state = onState(kid);
          kid.set("AS", new Name(state === pair[1] ? state : "Off"));
          changed.set(pair[0].n, [pair[0], kid]);
        });
      }));
    }).then(function () {
      // Viewers draw the typed text themselves (PDFium, pdf.js, Poppler and MuPDF all do);
      // `workbook flatten` makes a copy with every answer drawn for printing.
      var formRef = doc.rootDict.get("AcroForm");
      doc.form.set("NeedAppearances", true);
      if (formRef instanceof Ref) changed.set(formRef.n, [formRef, doc.form]);
      else changed.set(doc.trailer.get("Root").n, [doc.trailer.get("Root"), doc.rootDict]);
      return update(data, doc, changed);
    });
  }

  function update(data, doc, changed) {
    var chunks = [ascii("\n")], offset = data.length + 1, entries = [];
    Array.from(changed.values()).sort(function (a, b) { return a[0].n - b[0].n; }).forEach(function (pair) {
      var body = ascii(pair[0].n + " " + pair[0].g + " obj\n" + write(pair[1]) + "\nendobj\n");
      entries.push([pair[0].n, offset, pair[0].g]);
      chunks.push(body);
      offset += body.length;
    });
    var size = Math.max(doc.trailer.get("Size"), 1);
    var xref = size;  // the new xref stream's own number
    entries.push([xref, offset, 0]);
    var rows = new Uint8Array(entries.length * 7), index = [];
    entries.forEach(function (e, i) {
      rows.set([1, (e[1] >>> 24) & 255, (e[1] >>> 16) & 255, (e[1] >>> 8) & 255, e[1] & 255, e[2] >> 8, e[2] & 255], i * 7);
      index.push(e[0], 1);
    });
    var trailer = new Map([["Type", new Name("XRef")], ["Size", size + 1], ["Index", index],
      ["W", [1, 4, 2]], ["Root", doc.trailer.get("Root")], ["Prev", doc.startxref], ["Length", rows.length]]);
    ["Info", "ID"].forEach(function (key) { if (doc.trailer.has(key)) trailer.set(key, doc.trailer.get(key)); });
    chunks.push(ascii(xref + " 0 obj\n" + write(trailer) + "\nstream\n"), rows,
                ascii("\nendstream\nendobj\nstartxref\n" + offset + "\n%%EOF\n"));
    var total = data.length + chunks.reduce(function (n, c) { return n + c.length; }, 0);
    var out = new Uint8Array(total), at = 0;
    out.set(data, 0); at = data.length;
    chunks.forEach(function (c) { out.set(c, at); at += c.length; });
    return out;
  }

  window.GoalWorkbooksFillPdf = fill;
})();
