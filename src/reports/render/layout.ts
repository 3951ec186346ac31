/** A rectangle in the units of its page or picture, from its top left corner. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A text as drawn: the box it was given, and where its glyphs ended up (charts measure them). */
export interface DrawnText {
  text: string;
  box: Box;
  bounds?: Box;
  /** PDF page, from 0. */
  page?: number;
}

/** Told about every text a renderer lays out, so a check can compare it with what was really drawn. */
export interface LayoutRecorder {
  text(entry: DrawnText): void;
}
