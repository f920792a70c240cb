-- A page's queries name the tables of the attached database without its name.
use dashboard;
