// Print what pdf.js shows of a filled PDF's form fields, as JSON:
// the field values it reads, and the text it draws inside fields when printing.
// usage: node print_values.mjs FILE.pdf
import pdfjs from "pdfjs-dist/legacy/build/pdf.js";

const { getDocument, AnnotationMode, OPS } = pdfjs;

const doc = await getDocument({ url: process.argv[2], verbosity: 0 }).promise;
const values = {};
const printed = [];
for (let number = 1; number <= doc.numPages; number++) {
  const page = await doc.getPage(number);
  for (const annotation of await page.getAnnotations()) {
    if (annotation.fieldName && annotation.fieldValue && annotation.fieldValue !== "Off") {
      values[annotation.fieldName] = annotation.fieldValue;
    }
  }
  const ops = await page.getOperatorList({ intent: "print", annotationMode: AnnotationMode.ENABLE_STORAGE });
  let inField = false;
  ops.fnArray.forEach((fn, i) => {
    if (fn === OPS.beginAnnotation) inField = true;
    if (fn === OPS.endAnnotation) inField = false;
    if (inField && fn === OPS.showText) {
      printed.push(ops.argsArray[i][0].map((glyph) => glyph.unicode || "").join(""));
    }
  });
}
console.log(JSON.stringify({ values, printed }));
