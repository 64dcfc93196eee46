#include "libs/feeds/html_text.h"

#include "gtest/gtest.h"

namespace ww::feeds {
namespace {

struct HtmlCase {
  const char* html;
  const char* text;
};

class HtmlToTextTest : public ::testing::TestWithParam<HtmlCase> {};

TEST_P(HtmlToTextTest, Converts) { EXPECT_EQ(HtmlToText(GetParam().html), GetParam().text); }

INSTANTIATE_TEST_SUITE_P(
    Table, HtmlToTextTest,
    ::testing::Values(
        HtmlCase{"", ""}, HtmlCase{"  plain   text\n here ", "plain text here"},
        HtmlCase{"<p>First paragraph.</p><p>Second one.</p>", "First paragraph.\nSecond one."},
        HtmlCase{"<p>Hello<script>alert('x')</script> world</p>", "Hello world"},
        HtmlCase{"<style>p{color:red}</style><p>Styled</p>", "Styled"},
        HtmlCase{"<div>a<iframe src='https://ads.example'>frame</iframe>b</div>", "ab"},
        HtmlCase{"<p>Pic: <img src='x.png' alt='alt text'> done</p>", "Pic: done"},
        HtmlCase{"line one<br>line two<br/>line three", "line one\nline two\nline three"},
        HtmlCase{"<ul><li>one</li><li>two</li></ul>", "one\ntwo"},
        HtmlCase{"<h2>Title</h2>Body", "Title\nBody"},
        HtmlCase{"AT&amp;T &lt;tag&gt; caf&eacute; it&#8217;s &#x201C;q&#x201D; it&apos;s",
                 "AT&T <tag> caf\u00e9 it\u2019s \u201cq\u201d it's"},
        HtmlCase{"a&nbsp;&nbsp;b &mdash; c&hellip;", "a b \u2014 c\u2026"},
        HtmlCase{"<b>bold</b> and <i>italic</i>, <a href='/x'>link</a>.", "bold and italic, link."},
        HtmlCase{"<p>  lots \n\n of \t space  </p>\n\n<p></p><p>next</p>", "lots of space\nnext"},
        HtmlCase{"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
        HtmlCase{"<p>unclosed <b>bold <p>next", "unclosed bold\nnext"},
        HtmlCase{"<pre>x = 1\ny = 2</pre>", "x = 1\ny = 2"},
        HtmlCase{"<!-- comment --><p>kept</p>", "kept"}, HtmlCase{"<b>a</b> <i>b</i>", "a b"},
        HtmlCase{"<noscript>enable JS</noscript>text", "text"}));

}  // namespace
}  // namespace ww::feeds
