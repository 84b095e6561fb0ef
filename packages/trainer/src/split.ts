/** Leave-one-out split as used for training and evaluation (the SASRec paper's protocol). */
export interface Split {
  /** Item rows (1..itemCount) each model knows. */
  itemCount: number;
  /** Per user: training sequence (chronological). */
  train: Int32Array[];
  /** Per user: validation item (second-to-last) or 0 when the user has < 3 interactions. */
  valid: Int32Array;
  /** Per user: test item (last) or 0 when the user has < 3 interactions. */
  test: Int32Array;
}
