using Attune.Core.Expressions;

namespace Attune.Core.Tests.Expressions;

public class ErrorMessageTests
{
    [Theory]
    // Lexer
    [InlineData("price = 5", 7, "unexpected character '='; use '==' to compare")]
    [InlineData("a & b", 3, "unexpected character '&'; use 'and'")]
    [InlineData("a || b", 3, "unexpected character '|'; use 'or'")]
    [InlineData("!available", 1, "unexpected character '!'; use 'not' (or '!=' to compare)")]
    [InlineData("price <> 5", 7, "unexpected character '<'; use '!=' for 'not equal'")]
    [InlineData("price # 5", 7, "unexpected character '#'")]
    [InlineData("brand == \"acme", 10, "the string starting here is not closed (missing \")")]
    [InlineData("brand == 'acme\\", 10, "the string starting here is not closed (missing ')")]
    [InlineData("brand == \"a\\qb\"", 12, "unknown escape '\\q' in a string; use \\\", \\', \\\\, \\n, \\r, \\t or \\uXXXX")]
    [InlineData("brand == \"\\u12\"", 11, "'\\u' must be followed by four hex digits, e.g. \\u00e9")]
    [InlineData("price < 1.", 10, "a number needs digits after its decimal point")]
    [InlineData("price < 1e", 10, "a number's exponent needs digits, e.g. 1e6")]
    [InlineData("price < 12abc", 11, "a number cannot be followed directly by 'a'")]
    [InlineData("price < 1e999", 9, "the number 1e999 is out of range")]
    // Parser
    [InlineData("", 1, "the expression is empty")]
    [InlineData("   ", 1, "the expression is empty")]
    [InlineData("price <", 8, "expected a value (a field, a literal, a function call, '(' or '[') but found the end of the expression")]
    [InlineData("price < and", 9, "expected a value (a field, a literal, a function call, '(' or '[') but found the operator 'and'")]
    [InlineData("(price < 5", 11, "expected ')' to close the '(' at column 1 but found the end of the expression")]
    [InlineData("price < 5)", 10, "found ')' without a matching '('")]
    [InlineData("price < 5 available", 11, "expected an operator or the end of the expression but found 'available'")]
    [InlineData("price < 5 AND available", 11, "expected an operator or the end of the expression but found 'AND' (write operators as 'and')")]
    [InlineData("1 < price < 5", 11, "comparisons cannot be chained; join them with 'and' (found '<' after a comparison)")]
    [InlineData("rfm.", 5, "expected a field name after '.' but found the end of the expression")]
    [InlineData("brand in [\"a\", brand]", 16, "list items must be string or number literals, but found 'brand'")]
    [InlineData("brand in [\"a\"", 14, "expected ',' or ']' to close the list at column 10 but found the end of the expression")]
    [InlineData("interests.category[\"a\"", 23, "expected ']' to close the '[' at column 19 but found the end of the expression")]
    [InlineData("len(tags", 9, "expected ',' or ')' to close the call of 'len' at column 4 but found the end of the expression")]
    [InlineData("brand == \"a\" \"b\"", 14, "expected an operator or the end of the expression but found the string \"b\"")]
    // Type checker
    [InlineData("price < \"cheap\"", 9, "'price' is a number and cannot be compared with the string \"cheap\"")]
    [InlineData("\"cheap\" > price", 1, "'price' is a number and cannot be compared with the string \"cheap\"")]
    [InlineData("available and price == \"cheap\"", 24, "'price' is a number and cannot be compared with the string \"cheap\"")]
    [InlineData("brand == price", 10, "'brand' is a string and cannot be compared with 'price' (a number)")]
    [InlineData("prise < 100", 1, "unknown field 'prise' (did you mean 'price'?)")]
    [InlineData("price < 100 and brnad == \"x\"", 17, "unknown field 'brnad' (did you mean 'brand'?)")]
    [InlineData("colour == \"red\"", 1, "unknown field 'colour'")]
    [InlineData("True", 1, "unknown field 'True' (keywords are lowercase: did you mean 'true'?)")]
    [InlineData("rfm > 3", 1, "'rfm' is not a field itself; use one of its fields: 'rfm.frequency', 'rfm.recency_days'")]
    [InlineData("interests.category.sports > 0.3", 1, "'interests.category' is a map of numbers and has no field 'sports'; look up a key with interests.category[\"sports\"]")]
    [InlineData("attributes.size > 3", 1, "'attributes.size' cannot be used: its values are both number and string; declare its type")]
    [InlineData("price", 1, "the expression is a number, but a condition (bool) is needed here")]
    [InlineData("price and available", 1, "'and' needs conditions (bool) on both sides, but 'price' is a number")]
    [InlineData("available or title", 14, "'or' needs conditions (bool) on both sides, but 'title' is a string")]
    [InlineData("not price", 5, "'not' needs a condition (bool), but 'price' is a number")]
    [InlineData("-brand == 1", 2, "'-' needs a number, but 'brand' is a string")]
    [InlineData("price + brand > 1", 9, "'+' needs numbers on both sides, but 'brand' is a string")]
    [InlineData("tags == \"a\"", 1, "'tags' is a list of strings, which cannot be compared with '=='; use 'contains' or 'in'")]
    [InlineData("available < true", 1, "'<' orders numbers, times and strings, but 'available' is a condition (bool)")]
    [InlineData("price < null", 9, "null can only be used with '==' or '!=' (e.g. price == null); use exists(x) to test for a value")]
    [InlineData("created > \"yesterday\"", 11, "the string \"yesterday\" is not a time; write times in ISO 8601, e.g. \"2024-05-01\" or \"2024-05-01T12:00:00Z\"")]
    [InlineData("brand in brand", 10, "'in' needs a list on the right, but 'brand' is a string")]
    [InlineData("price in [\"a\"]", 10, "'price' is a number but the list [\"a\"] is a list of strings")]
    [InlineData("created in [1]", 1, "'in' looks up strings and numbers, but 'created' is a time")]
    [InlineData("brand in [\"a\", 1]", 16, "list items must all be of one type: the list starts with a string but the number 1 is a number")]
    [InlineData("tags contains 1", 15, "'tags' is a list of strings, so 'contains' needs a string, but the number 1 is a number")]
    [InlineData("interests.category contains 1", 29, "'interests.category' is a map of numbers, so 'contains' needs a key, which must be a string, but the number 1 is a number")]
    [InlineData("price contains 1", 1, "'contains' needs a list, a string or a map on the left, but 'price' is a number")]
    [InlineData("price startsWith \"a\"", 1, "'startsWith' needs a string or a list of strings on the left, but 'price' is a number")]
    [InlineData("brand startsWith 1", 18, "'startsWith' needs a string on the right, but the number 1 is a number")]
    [InlineData("price[\"a\"] > 1", 1, "only maps can be looked up with [key], but 'price' is a number")]
    [InlineData("interests.category[1] > 1", 20, "a map key must be a string, but the number 1 is a number")]
    [InlineData("lowr(brand) == \"a\"", 1, "unknown function 'lowr' (did you mean 'lower'?); the functions are abs, days_since, exists, len, lower")]
    [InlineData("lower(brand, title) == \"a\"", 1, "'lower' takes 1 argument but was given 2: lower(string) -> string")]
    [InlineData("lower(price) == \"a\"", 7, "'lower' needs a string, but 'price' is a number")]
    [InlineData("days_since(price) > 1", 12, "'days_since' needs a time, but 'price' is a number")]
    [InlineData("len(price) > 1", 5, "'len' needs a string, a list or a map, but 'price' is a number")]
    public void Every_error_names_its_column_and_what_was_expected(string text, int column, string reason)
    {
        var error = Expr.Error(text);

        Assert.Equal(reason, error.Reason);
        Assert.Equal(column, error.Column);
        Assert.Equal($"column {column}: {reason}", error.Message);
    }
}
