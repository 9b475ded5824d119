// Fill, read and inspect PDF forms with pdf.js, the engine of Firefox, for tests/engines.py.
// Reads one JSON command on stdin, prints one JSON answer on its last line.
//   {do: "fill", src, dst, values: {name: text | true | radio export value}}
//   {do: "read", src}  ->  {values: {name: value}}   (ticks as true, radios as their value)
//   {do: "ink", src, boxes: [{page, x, y}]}  ->  {ops: [n, ...]}: drawing operators inside the
//       appearance of the widget at each point, as pdf.js prints it (it needs a canvas to paint)
import { readFileSync, writeFileSync } from "node:fs";
import pdfjs from "pdfjs-dist/legacy/build/pdf.js";

const { getDocument, AnnotationMode, OPS } = pdfjs;
const command = JSON.parse(readFileSync(0, "utf8"));
const doc = await getDocument({ data: new Uint8Array(readFileSync(command.src)), verbosity: 0 }).promise;
const DRAWING = new Set([OPS.showText, OPS.fill, OPS.eoFill, OPS.fillStroke, OPS.eoFillStroke,
  OPS.stroke, OPS.closeStroke, OPS.closeFillStroke, OPS.closeEOFillStroke, OPS.constructPath]);

async function widgets() {
  const all = [];
  for (let number = 1; number <= doc.numPages; number++) {
    const page = await doc.getPage(number);
    for (const annotation of await page.getAnnotations()) {
      if (annotation.subtype === "Widget") all.push({ page: number - 1, annotation });
    }
  }
  return all;
}

if (command.do === "fill") {
  for (const { annotation } of await widgets()) {
    const value = command.values[annotation.fieldName];
    if (value === undefined) continue;
    if (annotation.checkBox) doc.annotationStorage.setValue(annotation.id, { value: value === true });
    else if (annotation.radioButton) {
      doc.annotationStorage.setValue(annotation.id, { value: annotation.buttonValue === value });
    } else doc.annotationStorage.setValue(annotation.id, { value });
  }
  writeFileSync(command.dst, await doc.saveDocument());
  console.log(JSON.stringify({ ok: true }));
} else if (command.do === "read") {
  const values = {};
  for (const { annotation } of await widgets()) {
    const value = annotation.fieldValue;
    if (annotation.checkBox) {
      if (value && value !== "Off") values[annotation.fieldName] = true;
    } else if (annotation.radioButton) {
      if (value && value !== "Off") values[annotation.fieldName] = value;
    } else if (value) values[annotation.fieldName] = value.replace(/\r\n?/g, "\n");
  }
  console.log(JSON.stringify({ values }));
} else if (command.do === "names") {
  console.log(JSON.stringify({ names: [...new Set((await widgets()).map(({ annotation }) => annotation.fieldName))] }));
} else if (command.do === "ink") {
  const all = await widgets();
  const counts = {};
  for (const number of new Set(command.boxes.map((box) => box.page))) {
    const page = await doc.getPage(number + 1);
    const list = await page.getOperatorList({ intent: "print", annotationMode: AnnotationMode.ENABLE_STORAGE });
    let current = null;
    list.fnArray.forEach((fn, i) => {
      if (fn === OPS.beginAnnotation) { current = list.argsArray[i][0]; counts[current] = 0; }
      else if (fn === OPS.endAnnotation) current = null;
      else if (current !== null && DRAWING.has(fn)) counts[current] += 1;
    });
  }
  const ops = command.boxes.map((box) => {
    const hit = all.find(({ page, annotation }) => {
      const [x1, y1, x2, y2] = annotation.rect;
      return page === box.page && x1 <= box.x && box.x <= x2 && y1 <= box.y && box.y <= y2;
    });
    return hit ? counts[hit.annotation.id] || 0 : 0;
  });
  console.log(JSON.stringify({ ops }));
}
