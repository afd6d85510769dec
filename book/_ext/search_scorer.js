// Search ranking of the book (Sphinx's `html_search_scorer`): Sphinx's own weights, plus a bonus
// for results that point into a page (a section, a glossary term) over the page as a whole. A
// chapter lists all its section titles, so without the bonus the whole chapter ranked above the
// very section whose title matched.
var Scorer = {
  score: (result) => {
    const [, , anchor, , score] = result;
    return anchor ? score + SECTION_BONUS : score;
  },
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
};
var SECTION_BONUS = 10;
