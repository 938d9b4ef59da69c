"""The quizzes' views, one module per audience: `learner` (practice, results, progress) and
`teach` (the instructor's quiz builder)."""
